"""The answers to an edit made in QuickBooks since costbridge wrote the document (pure)."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.blocks.model import AttentionView
from bot.blocks.refs import ButtonRef
from bot.blocks.text import button, clip, plain


def conflict_elements(view: AttentionView) -> list[dict[str, Any]]:
    """ "Overwrite with Procore's version" / "Keep QuickBooks' version", for a document someone
    edited in QuickBooks since costbridge wrote it: each confirm dialog names the QuickBooks
    document and says what the answer does to it."""
    if not view.conflict_target:
        return []
    ref = ButtonRef(view.doc.document_id, view.version_id, view.revision).encode()
    target = clip(view.conflict_target, 100)
    overwrite = {
        "title": plain("Overwrite in QuickBooks?", 100),
        "text": plain(
            f"Replace what was edited in QuickBooks on {target} with Procore's version of the "
            "fields costbridge owns? What costbridge does not write (a line or a memo added "
            "there) stays as it is.",
            300,
        ),
        "confirm": plain("Overwrite", 30),
        "deny": plain("Cancel", 30),
        "style": "danger",
    }
    keep = {
        "title": plain("Keep QuickBooks' version?", 100),
        "text": plain(
            f"Keep {target} as it is in QuickBooks? costbridge stops syncing this document: "
            "later changes in Procore are recorded, never written to it.",
            300,
        ),
        "confirm": plain("Keep", 30),
        "deny": plain("Cancel", 30),
    }
    return [
        {
            **button("Overwrite with Procore's version", ids.OVERWRITE, ref, style="primary"),
            "confirm": overwrite,
        },
        {**button("Keep QuickBooks' version", ids.KEEP, ref), "confirm": keep},
    ]
