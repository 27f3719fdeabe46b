"""The reconciliation sweep: webhooks are best-effort (Procore says so), so we also ask."""

from __future__ import annotations

from datetime import timedelta

import structlog

from db.models import Cursor
from sync.engine.documents import enqueue_sync
from sync.service import Service

log = structlog.get_logger("costbridge.sweep")
# Overlap windows a little: clocks differ and a change can commit after its updated_at.
OVERLAP = timedelta(minutes=5)


def cursor_name(source: str) -> str:
    return f"{source}_sweep"


async def sweep(svc: Service) -> int:
    """Queue a sync for every document changed, in every source, since its last sweep.

    Returns how many. Documents a webhook already brought are harmless here: syncing an
    unchanged version is a no-op (same content hash), and queued work for the same document
    is coalesced.
    """
    return sum([await sweep_source(svc, name) for name in sorted(svc.sources)])


async def sweep_source(svc: Service, name: str) -> int:
    now = svc.clock.now()
    cursor_key = cursor_name(name)
    async with svc.sessions() as session:
        cursor = await session.get(Cursor, cursor_key)
        since = (
            (cursor.value - OVERLAP)
            if cursor
            else (now - timedelta(minutes=svc.settings.sweep_lookback_minutes))
        )
    refs = await svc.source(name).list_changed(since)
    async with svc.sessions() as session, session.begin():
        for found in refs:
            await enqueue_sync(session, found.ref, now=now, listed=found.payload)
        row = await session.get(Cursor, cursor_key)
        if row is None:
            session.add(Cursor(name=cursor_key, value=now))
        else:
            row.value = now
    log.info("sweep.done", source=name, since=since.isoformat(), documents=len(refs))
    return len(refs)
