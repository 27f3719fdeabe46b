"""Failure alerts: one document that ran out of retries, or many with one cause (a roll-up)."""

from __future__ import annotations

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


def health_alert(system: str, problem: str, advice: str, *, resolved: bool = False) -> Message:
    icon = "✅" if resolved else "🔌"
    title = f"{icon} {system} connection: {'back to normal' if resolved else problem}"
    blocks: list[Block] = [header(clip(title, 150))]
    if not resolved:
        blocks.append(section(clip(f"{esc(problem)}\n*What to do:* {esc(advice)}", 3000)))
    return Message(text=clip(title, 3000), blocks=blocks)
