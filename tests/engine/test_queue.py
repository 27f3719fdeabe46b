"""The durable queue: coalescing, claiming once, leases, requeue while running."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import WorkItem
from db.session import session_factory
from sync.clock import FrozenClock
from sync.engine import queue


async def test_same_key_coalesces_and_is_claimed_once(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    sessions = session_factory(engine)
    now = clock.now()
    for n in range(5):
        async with sessions() as session, session.begin():
            await queue.enqueue(
                session, key="sync:procore:cco:1", kind="sync", data={"n": n}, now=now
            )
    async with sessions() as session:
        assert (await session.execute(select(func.count()).select_from(WorkItem))).scalar() == 1
        first = await queue.claim(session, worker_id="a", now=now, lease_seconds=60)
    async with sessions() as session:
        second = await queue.claim(session, worker_id="b", now=now, lease_seconds=60)
    assert first is not None and first.data == {"n": 4}
    assert second is None


async def test_new_work_while_running_is_run_again(engine: AsyncEngine, clock: FrozenClock) -> None:
    sessions = session_factory(engine)
    now = clock.now()
    async with sessions() as session, session.begin():
        await queue.enqueue(session, key="k", kind="sync", data={}, now=now)
    async with sessions() as session:
        claimed = await queue.claim(session, worker_id="a", now=now, lease_seconds=60)
    assert claimed is not None
    async with sessions() as session, session.begin():
        await queue.enqueue(session, key="k", kind="sync", data={"again": True}, now=now)
    async with sessions() as session, session.begin():
        await queue.finish(session, claimed, now=now)
    async with sessions() as session:
        again = await queue.claim(session, worker_id="a", now=now, lease_seconds=60)
    assert again is not None and again.data == {"again": True}
    async with sessions() as session, session.begin():
        await queue.finish(session, again, now=now)
    async with sessions() as session:
        assert await queue.claim(session, worker_id="a", now=now, lease_seconds=60) is None


async def test_retry_later_waits_and_expired_lease_is_reclaimed(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    sessions = session_factory(engine)
    now = clock.now()
    async with sessions() as session, session.begin():
        await queue.enqueue(session, key="k", kind="sync", data={}, now=now)
    async with sessions() as session:
        claimed = await queue.claim(session, worker_id="a", now=now, lease_seconds=60)
    assert claimed is not None
    async with sessions() as session, session.begin():
        await queue.retry_later(session, claimed, now=now, run_after=now + timedelta(seconds=30))
    async with sessions() as session:
        assert await queue.claim(session, worker_id="a", now=now, lease_seconds=60) is None
        later = now + timedelta(seconds=31)
        crashed = await queue.claim(session, worker_id="a", now=later, lease_seconds=60)
    assert crashed is not None and crashed.attempts == 1
    # The holder died without finishing: after its lease another worker takes it over.
    async with sessions() as session:
        taken = await queue.claim(
            session, worker_id="b", now=later + timedelta(seconds=61), lease_seconds=60
        )
    assert taken is not None and taken.id == crashed.id


async def test_concurrent_workers_never_take_the_same_item(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    sessions = session_factory(engine)
    now = clock.now()
    async with sessions() as session, session.begin():
        for n in range(6):
            await queue.enqueue(session, key=f"k{n}", kind="sync", data={}, now=now)

    async def worker(name: str) -> list[int]:
        taken: list[int] = []
        while True:
            async with sessions() as session:
                item = await queue.claim(session, worker_id=name, now=now, lease_seconds=60)
            if item is None:
                return taken
            taken.append(item.id)

    results = await asyncio.gather(*(worker(f"w{n}") for n in range(3)))
    every = [i for taken in results for i in taken]
    assert sorted(every) == sorted(set(every))
    assert len(every) == 6
