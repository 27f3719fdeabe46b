"""Suggestions for a human: which target entity a source entity is, which account a line wants.

Everything here only ranks options for a person to pick from, with the reason in words; nothing
is ever applied automatically. Rankings are deterministic (ties broken by number, name, id) so the
same question always shows the same list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import IntEnum

from mappings.conditions import CodeMatch, CodePattern
from mappings.references import ReferenceIndex, display
from mappings.resolve import REFERENCE_KIND
from mappings.rules import OutputField, Rule, normalise_base_type
from sync.models import ReferenceKind, ReferenceRecord, SourceDocument, SourceLine

# Legal-form words that differ between systems for the same company ("Acme Inc." / "ACME").
_LEGAL_SUFFIXES = frozenset(
    {"inc", "incorporated", "llc", "llp", "ltd", "limited", "co", "corp", "corporation",
     "company", "plc"}
)  # fmt: skip

#: Below this, a name is not offered as "similar" when linking entities.
LINK_SIMILARITY = 0.85
#: Below this, an account name is not offered as similar to a cost code's name.
ACCOUNT_SIMILARITY = 0.6


def normalise_name(name: str) -> str:
    """``"Acme Builders, Inc."`` -> ``"acme builders"``: case, punctuation, legal suffixes.

    Dots are dropped without a space so abbreviations survive ("L.L.C." -> "llc"); other
    punctuation separates words. The last word is kept even if it is a suffix ("Co").
    """
    s = name.casefold().replace("&", " and ").replace(".", "")
    words = re.sub(r"[^\w\s]|_", " ", s).split()
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def _leaf(name: str) -> str:
    """The last segment of a fully qualified name ("Acme:1021 Main St" -> "1021 Main St")."""
    return name.rsplit(":", 1)[-1]


class LinkMatch(IntEnum):
    """How a suggested link was found; higher is stronger."""

    SIMILAR_NAME = 1
    SAME_NAME = 2
    SAME_CODE = 3


@dataclass(frozen=True, slots=True)
class LinkSuggestion:
    record: ReferenceRecord
    match: LinkMatch
    similarity: float  # 1.0 for code and exact-name matches
    reason: str


def suggest_links(
    name: str,
    code: str,
    refs: ReferenceIndex,
    kind: ReferenceKind,
    *,
    limit: int = 5,
) -> list[LinkSuggestion]:
    """Target records (vendors, customers:jobs) that a source entity probably is, best first.

    By exact external code (the record's number), then the same normalised name (the full name or
    its last ``:`` segment, so a job "Acme:1021 Main St" matches project "1021 Main St"), then a
    similar name. Inactive records are never suggested: linking to them would be invalid.
    """
    wanted_code = code.strip().casefold()
    wanted = normalise_name(name)
    found: list[LinkSuggestion] = []
    for record in refs.records(kind, include_inactive=False):
        if wanted_code and record.number.strip().casefold() == wanted_code:
            found.append(
                LinkSuggestion(record, LinkMatch.SAME_CODE, 1.0, f"same code {record.number}")
            )
            continue
        if not wanted:
            continue
        names = {normalise_name(record.name), normalise_name(_leaf(record.name))}
        if wanted in names:
            found.append(LinkSuggestion(record, LinkMatch.SAME_NAME, 1.0, "same name"))
            continue
        ratio = max(SequenceMatcher(None, wanted, n).ratio() for n in names)
        if ratio >= LINK_SIMILARITY:
            found.append(
                LinkSuggestion(record, LinkMatch.SIMILAR_NAME, ratio, f"similar name ({ratio:.0%})")
            )
    found.sort(key=lambda s: (-s.match, -s.similarity, s.record.number, s.record.name, s.record.id))
    return found[:limit]


@dataclass(frozen=True, slots=True)
class AccountSuggestion:
    """An account (or item) for an unmapped line, with the evidence in words."""

    record: ReferenceRecord
    cost_code_rules: tuple[int, ...]  # rules giving it to the same cost code
    cost_type_rules: tuple[int, ...]  # rules giving it to the same cost type
    similarity: float  # of the account's name to the cost code's name, 0 if not similar
    reasons: tuple[str, ...]


def suggest_accounts(
    line: SourceLine,
    doc: SourceDocument,
    rules: Sequence[Rule],
    refs: ReferenceIndex,
    *,
    field: OutputField = OutputField.ACCOUNT,
    limit: int = 5,
) -> list[AccountSuggestion]:
    """Accounts (or items, with ``field=OutputField.ITEM``) for an unmapped line, best first.

    Evidence, strongest first, compared in this order:
    1. saved rules for the same exact cost code in *other* projects (or in no project) give it;
    2. saved rules for the same cost type (by name or base type) give it: most used first;
    3. its name is similar to the cost code's name (difflib ratio >= ``ACCOUNT_SIMILARITY``).
    Only active records are suggested; inactive rules are not evidence.
    """
    kind = REFERENCE_KIND[field]
    code = line.cost_code.code if line.cost_code else None
    ct_name = line.cost_type.name.strip().casefold() if line.cost_type else None
    ct_base = normalise_base_type(line.cost_type.base_type) if line.cost_type else None
    by_code: dict[str, list[int]] = {}
    by_type: dict[str, list[int]] = {}
    for rule in rules:
        value = rule.outputs.get(field)
        if not rule.active or rule.id is None or not isinstance(value, str):
            continue
        c = rule.conditions
        if (
            code is not None
            and c.cost_code is not None
            and CodePattern.parse(c.cost_code).kind is CodeMatch.EXACT
            and c.cost_code == code
            and c.project_id != doc.project.id
        ):
            by_code.setdefault(value, []).append(rule.id)
        same_name = (
            ct_name is not None and c.cost_type is not None and (c.cost_type.casefold() == ct_name)
        )
        same_base = ct_base and c.cost_type_base is not None and c.cost_type_base.value == ct_base
        if same_name or same_base:
            by_type.setdefault(value, []).append(rule.id)

    code_name = normalise_name(line.cost_code.name) if line.cost_code else ""
    out: list[AccountSuggestion] = []
    for record in refs.records(kind, include_inactive=False):
        code_rules = tuple(sorted(by_code.get(record.id, ())))
        type_rules = tuple(sorted(by_type.get(record.id, ())))
        similarity = 0.0
        if code_name:
            ratio = SequenceMatcher(None, code_name, normalise_name(_leaf(record.name))).ratio()
            similarity = ratio if ratio >= ACCOUNT_SIMILARITY else 0.0
        if not (code_rules or type_rules or similarity):
            continue
        reasons: list[str] = []
        if code_rules:
            reasons.append(f"used for cost code {code} by {_rules_text(code_rules)}")
        if type_rules:
            assert line.cost_type is not None  # type_rules is only filled when there is one
            reasons.append(f"used for cost type {line.cost_type.name} by {_rules_text(type_rules)}")
        if similarity:
            assert line.cost_code is not None
            reasons.append(f'name similar to "{line.cost_code.name}" ({similarity:.0%})')
        out.append(AccountSuggestion(record, code_rules, type_rules, similarity, tuple(reasons)))
    out.sort(
        key=lambda s: (
            -len(s.cost_code_rules),
            -len(s.cost_type_rules),
            -s.similarity,
            display(s.record),
            s.record.id,
        )
    )
    return out[:limit]


def _rules_text(ids: tuple[int, ...]) -> str:
    label = "rule" if len(ids) == 1 else "rules"
    return f"{label} " + ", ".join(f"#{i}" for i in ids)
