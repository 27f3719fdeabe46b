"""Group commit: callers released only by a committed batch; one bad row fails only its caller."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.group_commit import GroupCommit


@pytest.fixture
async def scratch(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    # PostgreSQL's test database outlives a test (SQLite's file does not): leave nothing behind.
    async with engine.begin() as conn:
        await conn.execute(text("DROP TABLE IF EXISTS scratch"))
        await conn.execute(text("CREATE TABLE scratch (n INTEGER PRIMARY KEY)"))
    yield engine
    async with engine.begin() as conn:
        await conn.execute(text("DROP TABLE scratch"))


async def stored(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as conn:
        return [r[0] for r in await conn.execute(text("SELECT n FROM scratch ORDER BY n"))]


async def insert_all(conn: AsyncConnection, items: Sequence[int]) -> list[int]:
    await conn.execute(text("INSERT INTO scratch (n) VALUES (:n)"), [{"n": n} for n in items])
    return [n * 10 for n in items]


async def test_concurrent_writes_share_transactions_and_get_their_own_results(
    scratch: AsyncEngine,
) -> None:
    batches: list[int] = []

    async def counted(conn: AsyncConnection, items: Sequence[int]) -> list[int]:
        batches.append(len(items))
        return await insert_all(conn, items)

    writes = GroupCommit(scratch)
    results = await asyncio.gather(*(writes.write(counted, n) for n in range(1, 101)))
    assert results == [n * 10 for n in range(1, 101)]
    assert await stored(scratch) == list(range(1, 101))
    assert sum(batches) == 100 and len(batches) < 100  # grouped, not one commit each


async def test_a_row_the_database_refuses_fails_only_its_own_caller(
    scratch: AsyncEngine,
) -> None:
    async with scratch.begin() as conn:
        await conn.execute(text("INSERT INTO scratch (n) VALUES (7)"))
    writes = GroupCommit(scratch)
    results = await asyncio.gather(
        *(writes.write(insert_all, n) for n in range(1, 11)), return_exceptions=True
    )
    assert isinstance(results[6], IntegrityError)  # 7 exists: the primary key refuses it
    assert [r for i, r in enumerate(results) if i != 6] == [n * 10 for n in range(1, 11) if n != 7]
    assert await stored(scratch) == list(range(1, 11))


async def test_a_failed_commit_fails_every_caller_of_its_batch(scratch: AsyncEngine) -> None:
    async def down(conn: AsyncConnection, items: Sequence[int]) -> list[int]:
        await insert_all(conn, items)
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    writes = GroupCommit(scratch)
    results = await asyncio.gather(
        *(writes.write(down, n) for n in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, OperationalError) for r in results)
    assert await stored(scratch) == []  # rolled back: nobody was told it is stored
    assert await writes.write(insert_all, 1) == 10  # and the next batch runs


async def test_a_caller_that_gives_up_does_not_stop_the_batch(scratch: AsyncEngine) -> None:
    release = asyncio.Event()

    async def slow(conn: AsyncConnection, items: Sequence[int]) -> list[int]:
        await release.wait()
        return await insert_all(conn, items)

    writes = GroupCommit(scratch)
    impatient = asyncio.create_task(writes.write(slow, 1))
    await asyncio.sleep(0)
    patient = asyncio.create_task(writes.write(slow, 2))
    await asyncio.sleep(0)
    impatient.cancel()
    release.set()
    assert await patient == 20
    assert await stored(scratch) == [1, 2]  # stored all the same: a redelivery is a duplicate
