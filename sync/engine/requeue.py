"""Documents driven through the pipeline again: after a new rule or link, or when a human asks
(``costbridge requeue``)."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models import AuditEntry, DeadLetter, DocumentVersion, SourceDocumentRow, TargetLink
from sync.engine import states
from sync.engine.documents import (
    DocumentLookupError,
    current_version,
    enqueue_sync,
    label,
    payload_of,
    reasons_of,
    ref_of,
    select_document,
    transition,
)
from sync.engine.mapping_step import map_for_target
from sync.engine.routes import target_kind_for
from sync.service import Service

log = structlog.get_logger("costbridge.requeue")


async def _current(
    session: AsyncSession, *in_states: str
) -> list[tuple[SourceDocumentRow, DocumentVersion]]:
    rows = await session.execute(
        select(SourceDocumentRow, DocumentVersion)
        .join(DocumentVersion, col(DocumentVersion.id) == col(SourceDocumentRow.current_version_id))
        .where(col(DocumentVersion.state).in_(in_states))
        .order_by(col(SourceDocumentRow.id))
    )
    return [(row, version) for row, version in rows.all()]


async def requeue_resolved(svc: Service, session: AsyncSession) -> list[int]:
    """Re-map every waiting document with what the session holds now (uncommitted rules too).

    A document whose reasons shrink is queued for a sync (which maps again and posts when
    nothing is left); returns their ids. Runs in the worker: mapping may refresh the cache.
    """
    now = svc.clock.now()
    queued: list[int] = []
    for row, version in await _current(session, states.NEEDS_ATTENTION):
        doc = payload_of(version)
        if doc is None or row.id is None:
            continue
        kind = target_kind_for(doc.kind, svc.settings)
        mapping = await map_for_target(svc, session, doc, kind)
        if len(mapping.reasons) < len(reasons_of(version)):
            await enqueue_sync(session, ref_of(row), now=now)
            queued.append(row.id)
    return queued


@dataclass(frozen=True)
class Requeued:
    document_id: int
    label: str
    state: str  # the state it was in


class RequeueRefused(Exception):
    """The document cannot be driven again: the message says why."""


async def requeue_document(svc: Service, selector: str, *, actor: str) -> Requeued:
    """Drive one document through the pipeline again, whatever waits (not one posted and
    unchanged: there is nothing to do). Its attempts start over; before any write the target
    is searched first, as after any unknown outcome."""
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        try:
            row = await select_document(session, selector)
        except DocumentLookupError as exc:
            raise RequeueRefused(str(exc)) from None
        assert row.id is not None
        named = label(row)
        version = await current_version(session, row)
        if version is None:
            raise RequeueRefused(f"{named} has no version yet: it is still being read")
        if version.state == states.POSTED and await _posted_unchanged(session, row.id, version):
            raise RequeueRefused(f"{named} is posted and unchanged: nothing to do")
        was = version.state
        link = await _link(session, row.id)
        if link is not None and link.detached_at is not None:
            # a person kept QuickBooks' version earlier; asking again means sync it again
            link.detached_at = None
            session.add(link)
            await transition(
                session,
                version,
                version.state,
                "attached again",
                now=now,
                actor=actor,
                detail=f"{link.target_kind} {link.doc_number or link.target_id} is synced again",
            )
        if was in states.SETTLED or was in (states.FAILED, states.WAITING, states.SNOOZED):
            version.attempts = 0
            version.next_attempt_at = None
            version.outcome_unknown = True  # whatever happened before, look before creating
            await transition(
                session, version, states.FAILED, "requeue requested", now=now, actor=actor
            )
        for letter in (
            await session.execute(
                select(DeadLetter).where(
                    col(DeadLetter.document_id) == row.id, col(DeadLetter.replayed_at).is_(None)
                )
            )
        ).scalars():
            letter.replayed_at = now  # driven again: no longer a dead letter to replay
        await enqueue_sync(session, ref_of(row), now=now)
        session.add(
            AuditEntry(
                at=now, actor=actor, action="requeue", subject=f"document:{row.id}", detail="{}"
            )
        )
    return Requeued(row.id, named, was)


async def _link(session: AsyncSession, document_id: int) -> TargetLink | None:
    stmt = select(TargetLink).where(col(TargetLink.document_id) == document_id)
    return (await session.execute(stmt)).scalars().first()


async def _posted_unchanged(
    session: AsyncSession, document_id: int, version: DocumentVersion
) -> bool:
    link = await _link(session, document_id)
    return link is not None and link.posted_hash == version.content_hash
