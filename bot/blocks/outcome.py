"""A document's message once a person acted: applying…, posted, skipped, snoozed, voided, and
the answers to an edit made in QuickBooks (overwriting…, overwritten, kept)."""

from __future__ import annotations

from bot.blocks.header import doc_fields, doc_label, doc_link
from bot.blocks.message import Message
from bot.blocks.model import DocView, Outcome
from bot.blocks.text import clip, context, esc, mention, section

_ICON = {
    "applying": "⏳",
    "posted": "✅",
    "skipped": "⏭️",
    "snoozed": "💤",
    "superseded": "↪️",
    "voiding": "⏳",
    "voided": "🗑️",
    "overwriting": "⏳",
    "overwritten": "✅",
    "kept": "📌",
}


def outcome_text(doc: DocView, outcome: Outcome) -> str:
    """``"Posted as PurchaseOrder 1043 by @U1; rule saved: 03-300 Labor → 5010 Labor"``."""
    by = f" by {mention(outcome.actor)}" if outcome.actor else ""
    if outcome.state == "posted":
        what = f"Posted as {esc(outcome.target)}" if outcome.target else "Posted"
        head = f"{what}{by}"
    elif outcome.state == "applying":
        head = f"Applying{by}… the change order will post in a moment"
    elif outcome.state == "snoozed":
        head = f"Snoozed until {outcome.until}{by}"
    elif outcome.state == "voided":
        what = f" {esc(outcome.target)}" if outcome.target else ""
        head = f"Voided{what} in QuickBooks{by}: it will not be posted again"
    elif outcome.state == "voiding":
        what = f" {esc(outcome.target)}" if outcome.target else ""
        head = f"Voiding{what}{by}… QuickBooks answers when the Web Connector runs next"
    elif outcome.state == "overwriting":
        what = f" {esc(outcome.target)}" if outcome.target else ""
        head = f"Overwriting{what} with Procore's version{by}… it posts in a moment"
    elif outcome.state == "overwritten":
        what = f" {esc(outcome.target)}" if outcome.target else ""
        head = f"Overwritten{what} with Procore's version{by}"
    elif outcome.state == "kept":
        of = f" of {esc(outcome.target)}" if outcome.target else ""
        head = f"QuickBooks' version{of} kept{by}: costbridge no longer writes it"
    elif outcome.state == "skipped":
        head = f"Skipped{by}: it will not be posted"
    else:
        head = f"{outcome.state.capitalize()}{by}"
    tail = f"; {esc(outcome.summary)}" if outcome.summary else ""
    return f"{_ICON.get(outcome.state, '•')} {head}{tail}"


def outcome_message(doc: DocView, outcome: Outcome) -> Message:
    text = outcome_text(doc, outcome)
    blocks = [
        section(clip(f"*{doc_link(doc)}*\n{text}", 3000)),
        doc_fields(doc),
        context("History of this change order is in the thread."),
    ]
    return Message(text=clip(f"{doc_label(doc)}: {text}", 3000), blocks=blocks)
