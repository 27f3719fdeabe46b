"""A posted change order deleted in Procore, voided on QuickBooks Desktop: the void is queued
("accepted, outcome to follow") and completes when the Web Connector runs, exactly once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sync.engine import states
from sync.engine.voids import VoidRefused, void_document
from tests.e2e.scenario import commitment_change_order, one_line, prime_change_order
from tests.qbd.conftest import QbdHarness
from tests.qbd.test_credits import live, posted, tags


async def _deleted(qbd: QbdHarness, order: int) -> None:
    await posted(qbd)
    qbd.world.procore.delete_change_order(order)
    await qbd.deliver_and_drain()
    assert (await qbd.version_of(order)).state == states.NEEDS_ATTENTION


async def test_a_void_is_queued_and_completes_on_the_next_run(qbd: QbdHarness) -> None:
    order = prime_change_order(qbd.world, one_line("500.00"))
    await _deleted(qbd, order)
    [invoice] = qbd.company.of_kind("Invoice")

    done = await void_document(qbd.svc, f"procore:{order}", actor="cli")
    again = await void_document(qbd.svc, f"procore:{order}", actor="cli")  # before the answer
    assert not done.done and not again.done and "TxnVoidRq" in done.detail
    assert [r.kind for r in await qbd.requests()].count("void") == 1  # queued once
    waiting = await qbd.version_of(order)
    assert waiting.state == states.NEEDS_ATTENTION
    assert (await qbd.history(order))[-1].cause == "accepted, outcome to follow"
    link = await qbd.link_of(order)
    assert link is not None and not link.voided

    log = await qbd.poll()
    assert tags(log.requests) == ["<TxnVoidRq"]
    assert qbd.company.voided == [invoice.txn_id]
    link = await qbd.link_of(order)
    assert link is not None and link.voided and link.voided_target_id == invoice.txn_id
    settled = await qbd.version_of(order)
    assert settled.state == states.SKIPPED
    last = (await qbd.history(order))[-1]
    assert (last.cause, last.actor) == ("voided in QuickBooks", "cli")

    assert (await qbd.poll()).status == "none"  # nothing more to send
    with pytest.raises(VoidRefused, match="already voided"):
        await void_document(qbd.svc, f"procore:{order}", actor="cli")


async def test_auto_void_deletes_a_purchase_order_on_the_next_run(qbd: QbdHarness) -> None:
    qbd.svc.settings = qbd.svc.settings.model_copy(update={"auto_void": True})
    order = commitment_change_order(qbd.world, one_line("500.00"))
    await posted(qbd)
    qbd.world.procore.delete_change_order(order)
    await qbd.deliver_and_drain()
    assert (await qbd.version_of(order)).state == states.POSTED  # not asked: the void queued
    log = await qbd.poll()
    assert tags(log.requests) == ["<TxnDelRq"]
    assert qbd.company.of_kind("PurchaseOrder") == [] and len(qbd.company.deleted) == 1
    assert (await qbd.version_of(order)).state == states.SKIPPED


async def test_approved_again_after_its_void_a_new_invoice_is_added(qbd: QbdHarness) -> None:
    order = prime_change_order(qbd.world, one_line("500.00"))
    await posted(qbd)
    [first] = qbd.company.of_kind("Invoice")
    qbd.world.procore.update_change_order(order, status="pending")
    await qbd.deliver_and_drain()
    await void_document(qbd.svc, f"procore:{order}", actor="cli")
    assert tags((await qbd.poll()).requests) == ["<TxnVoidRq"]
    assert live(qbd, "Invoice") == []

    qbd.world.procore.update_change_order(order, status="approved")
    await qbd.deliver_and_drain()
    assert tags((await qbd.poll()).requests) == ["<InvoiceAddRq"]  # added, never a Mod
    [again] = live(qbd, "Invoice")
    assert again.txn_id != first.txn_id and again.ref_number != first.ref_number
    assert again.total == Decimal("500.00")
    assert first.txn_id in qbd.company.voided  # the voided one stays voided
    assert (await qbd.version_of(order)).state == states.POSTED
    link = await qbd.link_of(order)
    assert link is not None and link.target_id == again.txn_id and not link.voided
