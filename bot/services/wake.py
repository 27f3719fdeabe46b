"""The end of a snooze: the document is looked at again (or its failure retried)."""

from __future__ import annotations

from db.models import DocumentVersion, SourceDocumentRow
from sync.engine import states
from sync.engine.documents import enqueue_sync, reasons_of, ref_of, transition
from sync.engine.operations import retry_dead
from sync.service import Service


async def wake(svc: Service, document_id: int) -> None:
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        row = await session.get(SourceDocumentRow, document_id)
        if row is None or row.current_version_id is None:
            return
        version = await session.get(DocumentVersion, row.current_version_id)
        if version is None:
            return
        dead = version.state == states.DEAD
        if version.state == states.SNOOZED:
            # Back to waiting with its reasons (the message re-opens), then mapped again:
            # a rule saved meanwhile may resolve it.
            await transition(
                session,
                version,
                states.NEEDS_ATTENTION,
                "snooze ended",
                now=now,
                reasons=reasons_of(version),
            )
            await enqueue_sync(session, ref_of(row), now=now)
    if dead:
        await retry_dead(svc, actor="snooze", document_id=document_id)
