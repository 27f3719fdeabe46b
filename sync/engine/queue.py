"""The durable work queue, in the database.

Several workers may run against PostgreSQL: a claim takes the oldest due row with
``FOR UPDATE SKIP LOCKED`` so two workers never take the same item. SQLite has one writer at a
time, so a conditional ``UPDATE`` (claim only if still queued) gives the same guarantee there.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import SQLModel, col

from db.insert import insert_for
from db.models import WorkItem

QUEUED = "queued"
RUNNING = "running"
DONE = "done"


@dataclass(frozen=True)
class Claimed:
    """A work item this worker holds until ``lease_until``."""

    id: int
    key: str
    kind: str
    data: dict[str, Any]
    attempts: int
    worker_id: str


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    data: dict[str, Any],
    now: datetime,
    run_after: datetime | None = None,
) -> None:
    """Add work, or wake the existing item with the same key (coalescing bursts).

    The caller commits; enqueueing inside the caller's transaction is what makes "stored and
    queued" one atomic step.
    """
    due = run_after or now
    item = (
        await session.execute(select(WorkItem).where(col(WorkItem.key) == key).with_for_update())
    ).scalar_one_or_none()
    if item is None:
        session.add(
            WorkItem(key=key, kind=kind, data=json.dumps(data), run_after=due, updated_at=now)
        )
        await session.flush()
        return
    item.data = json.dumps(data)
    item.updated_at = now
    if item.state == RUNNING:
        item.requeue = True  # the running worker re-queues it when it finishes
    elif item.state == DONE or item.run_after > due:
        if item.state == DONE:
            item.attempts = 0
        item.state = QUEUED
        item.run_after = due
    session.add(item)
    await session.flush()


@dataclass(frozen=True)
class NewWork:
    """Work under a key nobody has used yet (``event:<inbox id>`` for an id just allocated)."""

    key: str
    kind: str
    data: dict[str, Any]


async def enqueue_new(conn: AsyncConnection, items: Sequence[NewWork], *, now: datetime) -> None:
    """Queue ``items`` due now in one multi-row INSERT, without reading first.

    For the ingest hot path, in the caller's transaction: its keys are new, so nothing needs
    coalescing. Should a row with the same key exist all the same (SQLite reuses the highest
    id after rows were deleted by hand), it is reset to a fresh queued item, as ``enqueue``
    would wake it; a worker still running the old one then finds it no longer its own.
    """
    if not items:
        return
    await conn.execute(
        _insert_new(conn.dialect.name),
        [
            {
                "key": item.key,
                "kind": item.kind,
                "data": json.dumps(item.data),
                "attempts": 0,
                "state": QUEUED,
                "run_after": now,
                "lease_until": None,
                "leased_by": "",
                "requeue": False,
                "updated_at": now,
            }
            for item in items
        ],
    )


@functools.cache
def _insert_new(dialect: str) -> Executable:
    table = SQLModel.metadata.tables[WorkItem.__tablename__]
    stmt = insert_for(dialect, table)
    fresh = {
        "kind": stmt.excluded.kind,
        "data": stmt.excluded.data,
        "attempts": 0,
        "state": QUEUED,
        "run_after": stmt.excluded.run_after,
        "lease_until": None,
        "leased_by": "",
        "requeue": False,
        "updated_at": stmt.excluded.updated_at,
    }
    return stmt.on_conflict_do_update(index_elements=[table.c.key], set_=fresh)


async def claim(
    session: AsyncSession, *, worker_id: str, now: datetime, lease_seconds: float
) -> Claimed | None:
    """Take the oldest due item (or one whose holder's lease expired), or None."""
    for _ in range(5):  # losing a race to another worker is no reason to report "empty"
        found, claimed = await _claim_once(
            session, worker_id=worker_id, now=now, lease_seconds=lease_seconds
        )
        if not found or claimed is not None:
            return claimed
    return None


async def next_due(session: AsyncSession) -> datetime | None:
    """When the earliest queued item is due (None: nothing queued)."""
    stmt = select(func.min(col(WorkItem.run_after))).where(col(WorkItem.state) == QUEUED)
    return (await session.execute(stmt)).scalar_one_or_none()


async def _claim_once(
    session: AsyncSession, *, worker_id: str, now: datetime, lease_seconds: float
) -> tuple[bool, Claimed | None]:
    """(whether a due item was found, the claim if this worker won it)."""
    item = await _oldest_due(session, now)
    if item is None:
        return False, None
    lease_until = now + timedelta(seconds=lease_seconds)
    taken = await session.execute(
        update(WorkItem)
        .where(
            col(WorkItem.id) == item.id,
            col(WorkItem.state) == item.state,
            col(WorkItem.updated_at) == item.updated_at,
        )
        .values(
            state=RUNNING,
            lease_until=lease_until,
            leased_by=worker_id,
            requeue=False,
            updated_at=now,
        )
    )
    await session.commit()
    if cast(CursorResult[Any], taken).rowcount != 1:
        return True, None  # another worker won the race
    assert item.id is not None
    return True, Claimed(
        id=item.id,
        key=item.key,
        kind=item.kind,
        data=json.loads(item.data),
        attempts=item.attempts,
        worker_id=worker_id,
    )


async def _oldest_due(session: AsyncSession, now: datetime) -> WorkItem | None:
    """The oldest due item: queued and due, or running with its lease run out.

    Two look-ups that each read ``ix_work_claim`` (state, run_after) in order and stop at the
    first row, rather than one ``OR``: with the ``OR`` the database sorted every due row on
    each claim, and during a burst of webhooks (thousands of queued events) the sort cost the
    worker more than the work, on the CPU the webhooks are acknowledged with.
    """
    found = []
    for due in (
        (col(WorkItem.state) == QUEUED) & (col(WorkItem.run_after) <= now),
        (col(WorkItem.state) == RUNNING) & (col(WorkItem.lease_until) < now),
    ):
        stmt = select(WorkItem).where(due).order_by(col(WorkItem.run_after), col(WorkItem.id))
        stmt = stmt.limit(1)
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        item = (await session.execute(stmt)).scalar_one_or_none()
        if item is not None:
            found.append(item)
    return min(found, key=lambda i: (i.run_after, i.id or 0), default=None)


async def _owned(session: AsyncSession, claimed: Claimed) -> WorkItem | None:
    """The item, if this worker still holds it (a lease that ran out may have passed it on)."""
    item = await session.get(WorkItem, claimed.id, with_for_update=True)
    if item is None or item.state != RUNNING or item.leased_by != claimed.worker_id:
        return None
    return item


async def finish(session: AsyncSession, claimed: Claimed, *, now: datetime) -> None:
    """Mark done, unless new work for the same key arrived while it ran."""
    item = await _owned(session, claimed)
    if item is None:
        return
    item.state = QUEUED if item.requeue else DONE
    item.run_after = now
    item.requeue = False
    item.lease_until = None
    item.attempts = 0
    item.updated_at = now
    session.add(item)


async def retry_later(
    session: AsyncSession,
    claimed: Claimed,
    *,
    now: datetime,
    run_after: datetime,
    count_attempt: bool = True,
) -> None:
    """Put the item back to run again at ``run_after`` (new work still wins: it runs now).

    ``count_attempt`` is False when the document's own version counts the attempts (the
    pipeline asked for the delay), so the item's counter measures only its own failures.
    """
    item = await _owned(session, claimed)
    if item is None:
        return
    item.state = QUEUED
    item.run_after = now if item.requeue else run_after
    item.requeue = False
    item.lease_until = None
    item.attempts += 1 if count_attempt else 0
    item.updated_at = now
    session.add(item)
