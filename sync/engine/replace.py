"""A document of the other kind is voided before its replacement is written.

A change order revised across zero (+500 → -200, or back) needs the other kind of document
(``sync.engine.credits``): a vendor credit instead of a purchase order, an invoice instead of
a credit memo. The linked document is voided first, through the target (which knows what
QuickBooks can void and what it can only delete), and the link records that before the
replacement is created, so the books never hold both.

Exactly once (``sync.engine.voids.void_linked``, shared with a person's void): the void's
request id names the document voided, not the version, so a replay sends QuickBooks the same
request; a void that landed unseen (a crash or a dropped connection before our commit) is
recognised by the target on the next attempt and not sent again. The void only ever names the
document the link holds at that moment.

Not governed by ``COSTBRIDGE_AUTO_VOID``: the change order still exists and is approved, and
its books must hold exactly one live document for it.
"""

from __future__ import annotations

import structlog

from db.models import TargetLink
from sync.engine.voids import note, posted_label, void_linked
from sync.models import TargetKind
from sync.service import Service
from sync.targets.base import OutcomeToFollow

log = structlog.get_logger("costbridge.replace")


async def void_replaced(
    svc: Service,
    version_id: int,
    link: TargetLink | None,
    kind: TargetKind,
    document_key: str,
) -> TargetLink | None:
    """Void the linked document when this version needs another kind; the link as it is now.

    Raises what the target raises (a retryable error leaves the link untouched, so the next
    attempt voids again and the target sees it is done), except ``OutcomeToFollow``: a
    target that answers later holds the void in its queue, and the replacement is queued
    behind it (the answer to the void records it on the link).
    """
    if link is None or link.voided or link.target_kind == kind.value:
        return link
    label = posted_label(link)
    try:
        row = await void_linked(
            svc,
            link,
            document_key,
            version_id=version_id,
            detail=f"{label} (id {link.target_id}) voided, or deleted where QuickBooks cannot "
            f"void it: the change order now needs a {kind.value}",
        )
    except OutcomeToFollow as accepted:
        await note(
            svc,
            version_id,
            "void queued",
            f"{label}: {accepted.detail}; the {kind.value} replacing it is queued behind it",
        )
        return link
    log.info(
        "replace.voided", kind=link.target_kind, target_id=link.target_id, replacement=kind.value
    )
    return row
