"""A list refresh cut short resumes list by list, and no iterator outlives its session.

The first refresh reads five lists in pages of two: eight requests. A session cut after any
one of them (its answer lost, or delivered just before the link dropped) is followed by a
session that reads only the lists not yet finished, each from its first page.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from db.models_qbd import QbdCompanyFile, QbdListRecord
from sandbox.demo.company import add_change_orders
from sandbox.qbd.connector import SessionLog
from sandbox.qbd.schema import qbxml_schema
from sync.clock import FrozenClock
from sync.engine import states
from sync.engine.worker import run_until_idle
from sync.targets.qbd.outbox import LIST_KINDS
from tests.qbd.conftest import QbdHarness, make_harness

PAGE = 2
# account 1 (no iterator), vendor 3 (5 rows), customer 2 (4), item 1 (2), class 1 (no iterator)
REFRESH_REQUESTS = 8
QUERY = re.compile(r"<(Account|Vendor|Customer|Item|Class)QueryRq\b")
ITERATOR = re.compile(r'iteratorID="([^"]+)"')
REMAINING = re.compile(r'iteratorRemainingCount="(\d+)"')


@pytest.fixture
async def small_pages(db_url: str, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[QbdHarness]:
    harness, clients = await make_harness(db_url, tmp_path, clock, qbd_page_size=PAGE)
    try:
        yield harness
    finally:
        for client in clients:
            await client.aclose()
        await harness.svc.aclose()
    if qbxml_schema() is not None:
        assert not harness.company.rejected, "a request failed qbxmlops130.xsd"


def _kind(request: str) -> str:
    found = QUERY.search(request)
    assert found is not None, request[:300]
    return found[1].lower()


def _finished(log: SessionLog, delivered: int) -> set[str]:
    """Lists whose last page reached the service among the first ``delivered`` answers."""
    done = set()
    for request, answer in zip(log.requests[:delivered], log.answers[:delivered], strict=True):
        remaining = REMAINING.search(answer)
        if remaining is None or remaining[1] == "0":
            done.add(_kind(request))
    return done


def _foreign_iterators(log: SessionLog) -> list[str]:
    """Iterator ids a request carried that no earlier answer of the same session gave."""
    issued: set[str] = set()
    foreign = []
    for request, answer in zip(log.requests, log.answers, strict=True):
        used = ITERATOR.search(request)
        if used is not None and used[1] not in issued:
            foreign.append(used[1])
        issued.update(ITERATOR.findall(answer))
    return foreign


async def _mirror(qbd: QbdHarness) -> dict[str, int]:
    async with qbd.svc.sessions() as session:
        stmt = select(col(QbdListRecord.kind), func.count()).group_by(col(QbdListRecord.kind))
        return {kind: int(n) for kind, n in (await session.execute(stmt)).all()}


async def _refreshed(qbd: QbdHarness) -> bool:
    async with qbd.svc.sessions() as session:
        company = (await session.execute(select(QbdCompanyFile))).scalar_one()
        return company.lists_refreshed_at is not None


async def test_an_uncut_refresh_in_pages_of_two(small_pages: QbdHarness) -> None:
    qbd = small_pages
    log = await qbd.poll()
    assert len(log.requests) == REFRESH_REQUESTS and log.progress[-1] == 100
    assert [_kind(r) for r in log.requests] == [
        "account", "vendor", "vendor", "vendor", "customer", "customer", "item", "class",
    ]  # fmt: skip
    assert _finished(log, len(log.answers)) == set(LIST_KINDS)
    assert await _refreshed(qbd)


@pytest.mark.parametrize("answer", ["lost", "delivered"])
@pytest.mark.parametrize("cut", range(1, REFRESH_REQUESTS + 1))
async def test_a_cut_refresh_resumes_with_the_unfinished_lists_only(
    small_pages: QbdHarness, cut: int, answer: str
) -> None:
    qbd = small_pages
    if answer == "lost":  # QuickBooks ran request `cut`; its answer never reached us
        qbd.connector.faults.cut_after = cut
    else:  # its answer arrived, then the link dropped before the next request
        qbd.connector.faults.drop_after = cut
    first = await qbd.poll()
    assert first.cut and len(first.requests) == cut
    finished = _finished(first, cut - 1 if answer == "lost" else cut)

    qbd.connector.faults.cut_after = qbd.connector.faults.drop_after = None
    qbd.clock.advance(15 * 60)  # the Web Connector's next scheduled run
    second = await qbd.poll()
    read = [_kind(r) for r in second.requests]
    assert set(read) == set(LIST_KINDS) - finished  # finished lists are not read again
    for kind in set(read):  # each unfinished list from its first page, with no iterator
        first_page = next(r for r in second.requests if _kind(r) == kind)
        assert "iteratorID" not in first_page
    assert _foreign_iterators(first) == [] and _foreign_iterators(second) == []
    assert not any('statusCode="3391"' in a for a in first.answers + second.answers)
    assert not second.requests or second.progress[-1] == 100

    assert await _refreshed(qbd)  # every list read, across the two sessions
    assert await _mirror(qbd) == {k: len(rows) for k, rows in qbd.company.lists.items()}
    assert (await qbd.poll()).status == "none"  # nothing left: nothing read a third time


async def test_a_refresh_completed_across_two_sessions_wakes_what_waited(
    small_pages: QbdHarness,
) -> None:
    qbd = small_pages
    add_change_orders(qbd.world)
    await qbd.deliver_and_drain()
    co = qbd.world.ten_line_change_order_id
    assert (await qbd.version_of(co)).state == states.WAITING
    qbd.connector.faults.cut_after = 4  # vendors finished, not the rest
    await qbd.poll()
    await run_until_idle(qbd.svc)
    assert not await _refreshed(qbd)
    assert (await qbd.version_of(co)).state == states.WAITING  # not every list read yet

    qbd.connector.faults.cut_after = None
    await qbd.poll()  # the rest: the first refresh is complete, the documents wake
    await run_until_idle(qbd.svc)
    assert (await qbd.version_of(co)).state == states.POSTING
    await qbd.poll()
    version = await qbd.version_of(co)
    assert version.state == states.POSTED and version.attempts == 0
