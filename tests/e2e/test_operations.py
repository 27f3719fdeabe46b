"""Operators' tools: retrying dead letters, the reconciliation sweep, status, pause."""

from __future__ import annotations

from sqlalchemy import select

from db.models import DeadLetter
from sync.engine import states
from sync.engine.operations import retry_dead, set_paused, status
from sync.engine.sweep import sweep
from sync.engine.worker import run_one
from tests.e2e.conftest import Harness
from tests.e2e.scenario import commitment_change_order, one_line


async def test_retry_replays_a_dead_letter_once(harness: Harness) -> None:
    h = harness
    h.world.qbo.faults.error_next = 3
    commitment_change_order(h.world, one_line())
    await h.deliver()
    for _ in range(3):
        await h.drain()
        h.clock.advance(3600)
    assert (await status(h.svc)).counts == {states.DEAD: 1}

    replayed = await retry_dead(h.svc, actor="cli")
    assert replayed == ["document:1"]
    await h.drain()
    assert (await status(h.svc)).counts == {states.POSTED: 1}
    assert len(h.qbo_rows("PurchaseOrder")) == 1
    async with h.svc.sessions() as session:
        letter = (await session.execute(select(DeadLetter))).scalars().one()
    assert letter.replayed_at is not None
    assert await retry_dead(h.svc, actor="cli") == []  # nothing left to replay


async def test_sweep_finds_what_no_webhook_brought(harness: Harness) -> None:
    h = harness
    h.world.procore.switches.drop_rate = 1.0  # Procore loses every delivery
    commitment_change_order(h.world, one_line())
    await h.deliver()
    await h.drain()
    assert h.qbo_rows("PurchaseOrder") == []

    # The change order and its commitment (approved, no SOV lines: nothing to post).
    assert await sweep(h.svc) == 2
    await h.drain()
    assert len(h.qbo_rows("PurchaseOrder")) == 1
    # A second sweep over the same window changes nothing (same content, already posted).
    h.clock.advance(60)
    await sweep(h.svc)
    await h.drain()
    assert len(h.qbo_rows("PurchaseOrder")) == 1


async def test_paused_worker_stores_but_does_not_post(harness: Harness) -> None:
    h = harness
    await set_paused(h.svc, True, actor="cli")
    assert (await status(h.svc)).paused
    commitment_change_order(h.world, one_line())
    [delivery] = await h.deliver()
    assert delivery.status == "delivered"  # webhooks are still stored while paused
    assert await h.drain() == 0
    assert h.qbo_rows("PurchaseOrder") == []
    await set_paused(h.svc, False, actor="cli")
    assert await run_one(h.svc, me="test")
    await h.drain()
    assert len(h.qbo_rows("PurchaseOrder")) == 1


async def test_item_that_died_before_a_version_exists_is_replayed(harness: Harness) -> None:
    h = harness
    commitment_change_order(h.world, one_line())
    await h.deliver()
    h.world.procore.faults.force_503 = 100  # Procore is down while we fetch
    for _ in range(4):
        await h.drain()
        h.clock.advance(3600)
    async with h.svc.sessions() as session:
        letter = (await session.execute(select(DeadLetter))).scalars().one()
    assert letter.version_id is None and letter.subject.startswith("sync:procore:")
    assert "503" in letter.error

    h.world.procore.faults.force_503 = 0
    assert await retry_dead(h.svc, actor="cli") == [letter.subject]
    await h.drain()
    assert len(h.qbo_rows("PurchaseOrder")) == 1


async def test_notifiers_hear_each_settled_state_once_per_change(harness: Harness) -> None:
    h = harness
    heard: list[dict[str, object]] = []

    async def notifier(_svc: object, data: dict[str, object]) -> None:
        heard.append(data)

    h.svc.hooks.notifiers.append(notifier)
    commitment_change_order(h.world, [*one_line(), *one_line("450.00", "31-000", "O")])
    await h.deliver()
    await h.drain()
    assert [d["state"] for d in heard] == [states.NEEDS_ATTENTION]
    assert heard[0]["document_id"] == 1
