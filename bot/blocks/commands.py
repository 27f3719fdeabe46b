"""Replies to ``/sync`` (ephemeral): help, status, show, rules, and short confirmations."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks.header import doc_fields, doc_link
from bot.blocks.message import Message
from bot.blocks.model import DocView, StatusView
from bot.blocks.text import Block, clip, context, esc, section
from bot.command_parse import HELP


def help_message(problem: str = "") -> Message:
    lines = [f"• `/sync {usage}` — {what}" for usage, what in HELP]
    head = f"{esc(problem)}. " if problem else ""
    text = f"{head}*costbridge commands*\n" + "\n".join(lines)
    return Message(text=clip(text, 3000), blocks=[section(clip(text, 3000))])


def status_message(view: StatusView) -> Message:
    counts = ", ".join(f"{s} {n}" for s, n in sorted(view.counts.items())) or "no documents yet"
    lines = [
        f"*Documents:* {counts}",
        f"*Dead letters:* {view.dead_letters}",
        f"*Oldest waiting:* {view.oldest_waiting}",
        f"*Last posted to QuickBooks:* {view.last_posted}",
        f"*Worker:* {'paused' if view.paused else 'running'}",
        *view.health,
    ]
    text = "\n".join(lines)
    return Message(text=clip(text, 3000), blocks=[section(clip(text, 3000))])


def show_message(doc: DocView, state: str, attempts: int, explanation: str) -> Message:
    blocks: list[Block] = [
        section(f"*{doc_link(doc)}*\nState *{state}*, {attempts} attempts"),
        doc_fields(doc),
    ]
    # About 9k characters of explanation at most (total text limit); the rest is counted.
    chunks = _chunks(explanation, 2800)
    for chunk in chunks[:3]:
        blocks.append(section(f"```{esc(chunk)}```"))
    if len(chunks) > 3:
        blocks.append(context(f"…{len(explanation) - 3 * 2800} more characters not shown."))
    return Message(text=clip(f"{doc.number}: {state}", 3000), blocks=blocks)


def list_message(title: str, rows: Sequence[str], *, limit: int = 40) -> Message:
    shown = "\n".join(f"• {esc(r)}" for r in rows[:limit]) or "nothing"
    more = f"\n…and {len(rows) - limit} more" if len(rows) > limit else ""
    text = clip(f"*{esc(title)}*\n{shown}{more}", 3000)
    return Message(text=text, blocks=[section(text)])


def note(text: str) -> Message:
    return Message(text=clip(text, 3000), blocks=[section(clip(text, 3000))])


def progress_message(title: str, done: int, total: int | None, finished: bool) -> Message:
    count = f"{done}/{total}" if total is not None else f"{done}"
    state = "done" if finished else "running…"
    text = f"*{esc(title)}*: {count} documents queued, {state}"
    return Message(text=clip(text, 3000), blocks=[section(text), context("Edited as it runs.")])


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]
