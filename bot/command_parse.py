"""``/sync`` text → a command (pure). Unknown or malformed input becomes ``help``."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import date

HELP = (
    ("help", "this list"),
    ("status", "counts by state, oldest waiting, last success per connection"),
    ("show <doc>", "a change order: lines, the rule behind each line, attempts"),
    ("retry <doc|failed>", "send a change order (or every failed one) through again"),
    ("rules [filter]", "the mapping rules, optionally only those mentioning the filter"),
    ("map <cost code> [<cost type>] <account>", "save a rule: this cost code (+ type) → account"),
    ("pause", "the worker stops taking new work (webhooks are still stored)"),
    ("resume", "the worker takes work again"),
    ("backfill <project> [--since YYYY-MM-DD]", "queue a project's change orders since a date"),
)
NAMES = tuple(usage.split()[0] for usage, _ in HELP)
APPROVER_ONLY = frozenset({"retry", "map", "pause", "resume", "backfill"})


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)
    problem: str = ""  # why the input fell back to help


def parse(text: str) -> Command:
    try:
        words = shlex.split(text.strip())
    except ValueError as exc:
        return Command("help", problem=f"could not read that ({exc})")
    if not words:
        return Command("help")
    name, rest = words[0].lower(), words[1:]
    options: dict[str, str] = {}
    args: list[str] = []
    i = 0
    while i < len(rest):
        if rest[i].startswith("--") and i + 1 < len(rest):
            options[rest[i][2:]] = rest[i + 1]
            i += 2
        else:
            args.append(rest[i])
            i += 1
    problem = _check(name, args, options)
    if name not in NAMES or problem:
        return Command("help", problem=problem or f"unknown command `{name}`")
    return Command(name, tuple(args), options)


def _check(name: str, args: list[str], options: dict[str, str]) -> str:
    if name in ("show", "retry") and len(args) != 1:
        return f"`{name}` needs one change order (or `failed`)"
    if name == "map" and len(args) < 2:
        return "`map` needs a cost code and an account"
    if name == "backfill":
        if len(args) != 1:
            return "`backfill` needs one Procore project id"
        if "since" in options:
            try:
                date.fromisoformat(options["since"])
            except ValueError:
                return "`--since` takes a date like 2026-01-31"
    return ""
