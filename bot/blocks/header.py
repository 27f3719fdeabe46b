"""The document header every message about a document starts with."""

from __future__ import annotations

from bot.blocks.model import DocView
from bot.blocks.text import KIND_WORDS, Block, clip, esc, money, section

NAME_CHARS = 120  # names people recognise; the message's total text is limited (~12k)


def doc_label(doc: DocView) -> str:
    """``"Commitment change order 001 — L2 floor boxes"``."""
    kind = KIND_WORDS.get(doc.kind, doc.kind.replace("_", " "))
    title = f" — {doc.title}" if doc.title else ""
    return clip(f"{kind} {doc.number}{title}", 140)


def doc_link(doc: DocView) -> str:
    label = esc(doc_label(doc))
    url_ok = doc.url.startswith("http") and len(doc.url) <= 1000
    return f"<{doc.url}|{label}>" if url_ok else label


def doc_fields(doc: DocView) -> Block:
    who = "Vendor" if doc.kind == "commitment_change_order" else "Customer"
    return {
        "type": "section",
        "fields": [
            {"type": "mrkdwn", "text": f"*Project*\n{esc(clip(doc.project, NAME_CHARS))}"},
            {"type": "mrkdwn", "text": f"*{who}*\n{esc(clip(doc.counterparty, NAME_CHARS))}"},
            {"type": "mrkdwn", "text": f"*Total*\n{money(doc.total)}"},
            {"type": "mrkdwn", "text": f"*costbridge id*\n#{doc.document_id}"},
        ],
    }


def doc_section(doc: DocView, prefix: str = "") -> Block:
    return section(f"{prefix}*{doc_link(doc)}*")
