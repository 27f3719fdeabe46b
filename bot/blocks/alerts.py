"""Failure alerts: one document that ran out of retries, or many with one cause (a roll-up)."""

from __future__ import annotations

from dataclasses import dataclass

from bot import ids
from bot.blocks.header import doc_fields, doc_label, doc_section
from bot.blocks.message import Message
from bot.blocks.model import FailureView, RollupView
from bot.blocks.refs import ButtonRef
from bot.blocks.text import Block, button, clip, context, esc, header, section


def failure_alert(view: FailureView) -> Message:
    doc = view.doc
    ref = ButtonRef(doc.document_id, 0, view.revision)
    snooze = ButtonRef(doc.document_id, 0, view.revision, "1d")
    blocks: list[Block] = [
        header(clip(f"Failed: {doc_label(doc)}", 150)),
        doc_section(doc),
        doc_fields(doc),
        section(clip(f"*What went wrong*\n{esc(view.error)}", 3000)),
    ]
    if view.remote:
        blocks.append(section(clip(f"*QuickBooks said*\n> {esc(view.remote)}", 3000)))
    blocks.append(
        {
            "type": "actions",
            "block_id": f"alert.d{doc.document_id}.r{view.revision}",
            "elements": [
                button("Retry", ids.RETRY, ref.encode(), style="primary"),
                button("Snooze 1 day", ids.SNOOZE, snooze.encode()),
            ],
        }
    )
    blocks.append(context(f"Gave up after {view.attempts} attempts. Later failures go here."))
    return Message(text=clip(f"Failed: {doc_label(doc)}: {view.error}", 3000), blocks=blocks)


def rollup_alert(view: RollupView) -> Message:
    """``"QuickBooks returns 503: 37 documents waiting; retrying every 5 min"``."""
    line = f"{view.title}: {view.documents} documents failed, {view.waiting} waiting"
    if view.retry_every:
        line += f"; {view.retry_every}"
    sample = "\n".join(f"• {esc(s)}" for s in view.sample[:10])
    ref = ButtonRef(0, 0, 0, str(view.rollup_id))
    blocks: list[Block] = [
        header(clip(f"🚨 {view.title}", 150)),
        section(clip(f"*{esc(line)}*" + (f"\n{sample}" if sample else ""), 3000)),
    ]
    if view.waiting:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"rollup.{view.rollup_id}.{view.documents}.{view.waiting}",
                "elements": [
                    button("Retry all", ids.RETRY_ALL, ref.encode(), style="primary"),
                ],
            }
        )
    blocks.append(context("One message for one cause; it is edited as the count changes."))
    return Message(text=clip(line, 3000), blocks=blocks)


@dataclass(frozen=True)
class HealthView:
    """One connection problem (``connection_health``) in words (``bot.health_words``)."""

    title: str  # "QuickBooks refused costbridge's credentials"
    problem: str
    advice: str
    detail: str  # the remote system's own message
    since: str
    last_seen: str
    count: int
    resolved: bool
    resolved_title: str  # "QuickBooks is connected again"


def connection_alert(view: HealthView) -> Message:
    """One message per connection and condition: edited while it lasts, then resolved."""
    if view.resolved:
        title = f"✅ {view.resolved_title}"
        blocks: list[Block] = [
            header(clip(title, 150)),
            context(clip(f"Was: {esc(view.title)} (from {view.since}).", 2000)),
        ]
        return Message(text=clip(title, 3000), blocks=blocks)
    title = f"🔌 {view.title}"
    blocks = [
        header(clip(title, 150)),
        section(clip(f"{esc(view.problem)}\n*What to do:* {esc(view.advice)}", 3000)),
    ]
    if view.detail:
        blocks.append(section(clip(f"*Last answer*\n> {esc(view.detail)}", 3000)))
    seen = "once" if view.count == 1 else f"{view.count} times"
    blocks.append(
        context(
            clip(f"Since {view.since}; seen {seen}, last at {view.last_seen}.", 2000),
            "One message per connection; it is edited while this lasts.",
        )
    )
    return Message(text=clip(f"{title}: {view.problem}", 3000), blocks=blocks)
