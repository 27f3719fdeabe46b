"""Inbound events: verified, stored durably and queued before they are acknowledged."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from db.models import InboxEvent
from sync.engine import queue
from sync.engine.documents import enqueue_sync
from sync.service import Service
from sync.sources.base import SourceEvent

log = structlog.get_logger("costbridge.inbox")


@dataclass(frozen=True)
class IngestResult:
    outcome: str  # stored | duplicate | ignored
    event_id: int | None = None


async def ingest(
    svc: Service, source: str, headers: Mapping[str, str], body: bytes
) -> IngestResult:
    """Verify, store and queue one delivery to ``source``. Raises its 4xx errors unchanged."""
    event = svc.source(source).parse_event(headers, body)
    bound = log.bind(
        source=event.source,
        event_key=event.key,
        resource=event.resource_name,
        resource_id=event.resource_id,
        event_type=event.event_type,
    )
    if event.caused_by_us:
        bound.info("inbox.ignored_own_write")
        return IngestResult("ignored")
    now = svc.clock.now()
    try:
        async with svc.sessions() as session, session.begin():
            existing = (
                await session.execute(
                    select(col(InboxEvent.id)).where(
                        col(InboxEvent.source) == event.source,
                        col(InboxEvent.event_key) == event.key,
                    )
                )
            ).scalar_one_or_none()
            if existing is not None:
                bound.info("inbox.duplicate", event_id=existing)
                return IngestResult("duplicate", existing)
            row = InboxEvent(
                source=event.source,
                event_key=event.key,
                resource_name=event.resource_name,
                resource_id=event.resource_id,
                event_type=event.event_type,
                company_id=event.company_id,
                project_id=event.project_id,
                payload=body.decode("utf-8"),
                received_at=now,
            )
            session.add(row)
            await session.flush()
            assert row.id is not None
            await queue.enqueue(
                session, key=f"event:{row.id}", kind="event", data={"inbox_id": row.id}, now=now
            )
    except IntegrityError:
        # Two deliveries of one event raced; the other one stored it.
        bound.info("inbox.duplicate_race")
        return IngestResult("duplicate")
    bound.info("inbox.stored", event_id=row.id)
    return IngestResult("stored", row.id)


def _event_of(row: InboxEvent) -> SourceEvent:
    return SourceEvent(
        source=row.source,
        key=row.event_key,
        resource_name=row.resource_name,
        resource_id=row.resource_id,
        event_type=row.event_type,
        company_id=row.company_id,
        project_id=row.project_id,
        occurred_at=None,
        caused_by_us=False,
    )


async def process_event(svc: Service, inbox_id: int) -> None:
    """Turn a stored event into document syncs (one per document it concerns)."""
    async with svc.sessions() as session:
        row = await session.get(InboxEvent, inbox_id)
    if row is None:
        return
    refs = await svc.source(row.source).resolve(_event_of(row))
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        for ref in refs:
            await enqueue_sync(session, ref, now=now)
        stored = await session.get(InboxEvent, inbox_id)
        assert stored is not None
        stored.processed_at = now
        stored.outcome = "queued" if refs else "not_synced"
        if svc.settings.purge_payloads:
            stored.payload = None  # the event's ids stay; the raw body is not needed any more
    log.info("inbox.processed", event_id=inbox_id, documents=[r.id for r in refs])
