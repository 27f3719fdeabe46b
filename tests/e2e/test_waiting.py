"""Waiting for a system that is away (rate-limited past the client's retries) spends no
attempt: the document waits, nothing is dead, and it posts once the system answers again."""

from __future__ import annotations

from sqlalchemy import select

from db.models import DeadLetter, DocumentVersion
from sync.engine import states
from tests.e2e.conftest import Harness
from tests.e2e.scenario import commitment_change_order, one_line


async def _version(h: Harness) -> DocumentVersion:
    async with h.svc.sessions() as session:
        return (await session.execute(select(DocumentVersion))).scalars().one()


async def test_quickbooks_throttling_for_long_is_a_wait_not_an_attempt(harness: Harness) -> None:
    h = harness
    h.world.qbo.faults.throttle_next = 1000  # QuickBooks says 429 to everything for a while
    commitment_change_order(h.world, one_line())
    await h.deliver()
    for _ in range(6):  # far more rounds than the 3 attempts a failure would get
        await h.drain()
        h.clock.advance(120)
    version = await _version(h)
    assert version.state == states.WAITING and version.attempts == 0
    assert "throttling" in version.last_error
    async with h.svc.sessions() as session:
        assert (await session.execute(select(DeadLetter))).scalars().all() == []

    h.world.qbo.faults.throttle_next = 0  # the limit resets
    h.clock.advance(120)
    await h.drain()
    assert (await _version(h)).state == states.POSTED
    assert len(h.qbo_rows("PurchaseOrder")) == 1
