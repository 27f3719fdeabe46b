"""The reconciliation sweep: Procore's webhooks are best-effort, so we also ask what changed."""

from __future__ import annotations

from datetime import timedelta

import structlog

from db.models import Cursor
from sync.inbox import enqueue_sync
from sync.service import Service

log = structlog.get_logger("costbridge.sweep")
CURSOR = "procore_sweep"
# Overlap windows a little: clocks differ and a change can commit after its updated_at.
OVERLAP = timedelta(minutes=5)


async def sweep(svc: Service) -> int:
    """Queue a sync for every document changed since the last sweep; returns how many.

    Documents a webhook already brought are harmless here: syncing an unchanged version is a
    no-op (same content hash), and queued work for the same document is coalesced.
    """
    now = svc.clock.now()
    async with svc.sessions() as session:
        cursor = await session.get(Cursor, CURSOR)
        since = (
            (cursor.value - OVERLAP)
            if cursor
            else (now - timedelta(minutes=svc.settings.sweep_lookback_minutes))
        )
    refs = await svc.source.list_changed(since)
    async with svc.sessions() as session, session.begin():
        for ref in refs:
            await enqueue_sync(session, ref, now=now)
        row = await session.get(Cursor, CURSOR)
        if row is None:
            session.add(Cursor(name=CURSOR, value=now))
        else:
            row.value = now
    log.info("sweep.done", since=since.isoformat(), documents=len(refs))
    return len(refs)
