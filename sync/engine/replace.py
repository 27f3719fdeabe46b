"""A document of the other kind is voided before its replacement is written.

A change order revised across zero (+500 → -200, or back) needs the other kind of document
(``sync.engine.credits``): a vendor credit instead of a purchase order, an invoice instead of
a credit memo. The linked document is voided first, through the target (which knows what
QuickBooks can void and what it can only delete), and the link records that before the
replacement is created, so the books never hold both.

Exactly once: the void's request id names the document voided, not the version, so a replay
sends QuickBooks the same request; a void that landed unseen (a crash or a dropped connection
before our commit) is recognised by the target on the next attempt and not sent again. The
void only ever names the document the link holds at that moment.
"""

from __future__ import annotations

import structlog

from db.models import DocumentVersion, TargetLink
from sync.engine import outcomes
from sync.engine.posting import posted_from, request_id
from sync.models import TargetKind
from sync.service import Service
from sync.targets.base import OutcomeToFollow

log = structlog.get_logger("costbridge.replace")


def void_request_id(target_account: str, document_key: str, link: TargetLink) -> str:
    """Deterministic per document voided: the same void is always the same request."""
    return request_id(target_account, document_key, f"{link.target_kind}:{link.target_id}", "void")


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
    old = posted_from(link)
    label = f"{old.kind.value} {old.doc_number or old.id}"
    try:
        await svc.target.void(old, void_request_id(svc.target_account, document_key, link))
    except OutcomeToFollow as accepted:
        await _note(
            svc,
            version_id,
            "void queued",
            f"{label}: {accepted.detail}; the {kind.value} replacing it is queued behind it",
        )
        return link
    async with svc.sessions() as session, session.begin():
        version = await session.get(DocumentVersion, version_id)
        row = await session.get(TargetLink, link.id, with_for_update=True)
        assert row is not None
        await outcomes.record_voided(
            session,
            version,
            row,
            target_id=old.id,
            detail=f"{label} (id {old.id}) voided, or deleted where QuickBooks cannot void "
            f"it: the change order now needs a {kind.value}",
            now=svc.clock.now(),
        )
    log.info("replace.voided", kind=old.kind.value, target_id=old.id, replacement=kind.value)
    return row


async def _note(svc: Service, version_id: int, cause: str, detail: str) -> None:
    async with svc.sessions() as session, session.begin():
        version = await session.get(DocumentVersion, version_id)
        assert version is not None
        await outcomes.note(session, version, cause, detail, now=svc.clock.now())
