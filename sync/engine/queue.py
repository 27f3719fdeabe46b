"""The durable work queue, in the database.

Several workers may run against PostgreSQL: a claim takes the oldest due row with
``FOR UPDATE SKIP LOCKED`` so two workers never take the same item. SQLite has one writer at a
time, so a conditional ``UPDATE`` (claim only if still queued) gives the same guarantee there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

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
    due = or_(
        (col(WorkItem.state) == QUEUED) & (col(WorkItem.run_after) <= now),
        (col(WorkItem.state) == RUNNING) & (col(WorkItem.lease_until) < now),
    )
    stmt = select(WorkItem).where(due).order_by(col(WorkItem.run_after), col(WorkItem.id)).limit(1)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    item = (await session.execute(stmt)).scalar_one_or_none()
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
