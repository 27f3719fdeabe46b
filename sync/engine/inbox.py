"""Inbound events: verified, stored durably and queued before they are acknowledged."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Executable
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

from db.insert import insert_for
from db.models import InboxEvent
from sync.engine import queue
from sync.engine.documents import enqueue_sync
from sync.errors import InvalidEventError
from sync.service import Service
from sync.sources.base import SourceEvent

log = structlog.get_logger("costbridge.inbox")
_TABLE = SQLModel.metadata.tables[InboxEvent.__tablename__]
# The columns' lengths: a longer value is the sender's error (400), not a failed write (503).
_LIMITS: dict[str, int] = {
    c.name: length for c in _TABLE.c if isinstance(length := getattr(c.type, "length", None), int)
}


@dataclass(frozen=True)
class IngestResult:
    outcome: str  # stored | duplicate | ignored
    event_id: int | None = None  # None for a duplicate: nothing reads the stored one


async def ingest(
    svc: Service, source: str, headers: Mapping[str, str], body: bytes
) -> IngestResult:
    """Verify, store and queue one delivery to ``source``. Raises its 4xx errors unchanged.

    Returns only once the event and its work item are committed (``svc.writes`` groups
    concurrent deliveries into one transaction); a failed write raises and nothing is stored.
    """
    event = svc.source(source).parse_event(headers, body)
    if event.caused_by_us:
        log.info("inbox.ignored_own_write", **_fields(event))
        return IngestResult("ignored")
    event_id = await svc.writes.write(_store, _row(event, body, svc.clock.now()))
    if event_id is None:
        log.info("inbox.duplicate", **_fields(event))
        return IngestResult("duplicate")
    log.info("inbox.stored", event_id=event_id, **_fields(event))
    return IngestResult("stored", event_id)


def _fields(event: SourceEvent) -> dict[str, str]:
    return {
        "source": event.source,
        "event_key": event.key,
        "resource": event.resource_name,
        "resource_id": event.resource_id,
        "event_type": event.event_type,
    }


def _row(event: SourceEvent, body: bytes, now: datetime) -> dict[str, Any]:
    """The ``inbox_events`` values for ``event``; ``InvalidEventError`` if they cannot be."""
    try:
        payload = body.decode("utf-8")
    except UnicodeDecodeError:  # JSON may come as UTF-16 or UTF-32 too; we store text as sent
        raise InvalidEventError("body is not UTF-8") from None
    row: dict[str, Any] = {
        "source": event.source,
        "event_key": event.key,
        "resource_name": event.resource_name,
        "resource_id": event.resource_id,
        "event_type": event.event_type,
        "company_id": event.company_id,
        "project_id": event.project_id,
    }
    for name, value in row.items():
        if len(value) > _LIMITS[name]:
            raise InvalidEventError(f"{name} is longer than {_LIMITS[name]} characters")
        if "\x00" in value:  # PostgreSQL text cannot hold it
            raise InvalidEventError(f"{name} contains a NUL character")
    return row | {
        "payload": payload,
        "received_at": now,
        "processed_at": None,
        "outcome": "received",
    }


async def _store(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> list[int | None]:
    """Store a batch of events in one INSERT and queue an ``event`` item for each new one.

    The unique ``(source, event_key)`` constraint decides what is new (``ON CONFLICT DO
    NOTHING``): no read before the write, and a race between two deliveries of one event is
    the database's to settle. Returns each row's id, None for a duplicate (already stored, or
    earlier in the same batch).
    """
    firsts: dict[tuple[str, str], int] = {}  # (source, key) → index of its first row
    for i, row in enumerate(rows):
        firsts.setdefault((row["source"], row["event_key"]), i)
    inserted = await conn.execute(
        _insert_events(conn.dialect.name), [rows[i] for i in firsts.values()]
    )
    ids = {(source, key): int(id_) for id_, source, key in inserted}
    work = [
        queue.NewWork(key=f"event:{id_}", kind="event", data={"inbox_id": id_})
        for id_ in ids.values()
    ]
    await queue.enqueue_new(conn, work, now=rows[0]["received_at"])
    found = {firsts[k]: id_ for k, id_ in ids.items()}
    return [found.get(i) for i in range(len(rows))]


@functools.cache
def _insert_events(dialect: str) -> Executable:
    return (
        insert_for(dialect, _TABLE)
        .on_conflict_do_nothing(index_elements=[_TABLE.c.source, _TABLE.c.event_key])
        .returning(_TABLE.c.id, _TABLE.c.source, _TABLE.c.event_key)
    )


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
