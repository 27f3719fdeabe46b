"""A change order revised across zero, end to end on QuickBooks Online: the old document is
voided or deleted and the other kind created, exactly once, replays and lost answers included."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sync.engine import states
from tests.e2e.conftest import Harness
from tests.e2e.scenario import commitment_change_order, one_line, prime_change_order
from tests.e2e.test_credits import history, link, version


@pytest.fixture
def h(harness: Harness) -> Harness:
    return harness


def live_invoices(h: Harness) -> list[dict[str, object]]:
    """Invoices QuickBooks still counts (a voided one stays, at zero, marked in its memo)."""
    return [i for i in h.qbo_rows("Invoice") if not str(i["PrivateNote"]).startswith("Voided")]


async def test_purchase_order_to_vendor_credit_and_back(h: Harness) -> None:
    order = commitment_change_order(h.world, one_line("500.00"))
    await h.deliver()
    await h.drain()
    [po] = h.qbo_rows("PurchaseOrder")

    h.world.procore.update_change_order(order, lines=one_line("-200.00"))
    await h.deliver()
    await h.drain()
    assert h.qbo_rows("PurchaseOrder") == []  # QBO cannot void a purchase order: deleted
    [credit] = h.qbo_rows("VendorCredit")
    assert Decimal(str(credit["TotalAmt"])) == Decimal("200.00")
    now = await link(h)
    assert (now.target_kind, now.target_id, now.voided) == ("VendorCredit", credit["Id"], False)
    assert (now.voided_kind, now.voided_target_id) == ("PurchaseOrder", po["Id"])
    assert now.voided_at is not None
    causes = [e.cause for e in await history(h)]
    assert causes[-2:] == ["voided in target", "posted (created)"]

    h.world.procore.update_change_order(order, lines=one_line("300.00"))
    await h.deliver()
    await h.drain()
    assert h.qbo_rows("VendorCredit") == []
    [again] = h.qbo_rows("PurchaseOrder")
    assert Decimal(str(again["TotalAmt"])) == Decimal("300.00")
    back = await link(h)
    assert (back.target_kind, back.target_id) == ("PurchaseOrder", again["Id"])
    assert (back.voided_kind, back.voided_target_id) == ("VendorCredit", credit["Id"])


async def test_invoice_to_credit_memo_and_back_leaves_one_live_document(h: Harness) -> None:
    order = prime_change_order(h.world, one_line("500.00"))
    await h.deliver()
    await h.drain()
    [invoice] = h.qbo_rows("Invoice")

    h.world.procore.update_change_order(order, lines=one_line("-200.00"))
    await h.deliver()
    await h.drain()
    [voided] = h.qbo_rows("Invoice")  # voided: it stays, at zero, with its number
    assert voided["Id"] == invoice["Id"] and Decimal(str(voided["TotalAmt"])) == 0
    assert live_invoices(h) == []
    [memo] = h.qbo_rows("CreditMemo")
    assert Decimal(str(memo["TotalAmt"])) == Decimal("200.00")
    assert (await link(h)).target_kind == "CreditMemo"

    h.world.procore.update_change_order(order, lines=one_line("300.00"))
    await h.deliver()
    await h.drain()
    assert h.qbo_rows("CreditMemo") == []
    # a new invoice, numbered apart: the voided one stays voided, never brought back
    [live] = live_invoices(h)
    assert live["Id"] != invoice["Id"] and Decimal(str(live["TotalAmt"])) == Decimal("300.00")
    assert live["DocNumber"] == f"{invoice['DocNumber']}-R2"
    [still_voided] = [i for i in h.qbo_rows("Invoice") if i["Id"] == invoice["Id"]]
    assert Decimal(str(still_voided["TotalAmt"])) == 0
    assert (await link(h)).target_id == live["Id"]
    assert (await version(h)).state == states.POSTED
    assert (await history(h))[-1].cause == "posted (created)"


async def test_the_same_webhook_again_voids_nothing_more(h: Harness) -> None:
    order = commitment_change_order(h.world, one_line("500.00"))
    await h.deliver()
    await h.drain()
    h.world.procore.switches.duplicate = 3  # the flip is delivered four times
    h.world.procore.update_change_order(order, lines=one_line("-200.00"))
    await h.deliver()
    await h.drain()
    h.world.procore.update_change_order(order)  # and once more, nothing changed
    await h.deliver()
    await h.drain()
    assert h.qbo_rows("PurchaseOrder") == []
    assert len(h.qbo_rows("VendorCredit")) == 1
    voids = [e for e in await history(h) if e.cause == "voided in target"]
    assert len(voids) == 1


async def test_delete_lost_after_commit_is_not_repeated(h: Harness) -> None:
    order = commitment_change_order(h.world, one_line("500.00"))
    await h.deliver()
    await h.drain()
    [po] = h.qbo_rows("PurchaseOrder")
    h.world.qbo.faults.drop_after_commit_next = 1  # the delete lands; its answer is lost
    h.world.procore.update_change_order(order, lines=one_line("-200.00"))
    await h.deliver()
    await h.drain()
    assert h.qbo_rows("PurchaseOrder") == [] and h.qbo_rows("VendorCredit") == []
    lost = await version(h)
    assert lost.state == states.FAILED and lost.outcome_unknown
    assert not (await link(h)).voided  # not recorded: we never saw the answer

    h.clock.advance(31)
    await h.drain()  # the retry sees the purchase order is gone, records it, then credits
    [credit] = h.qbo_rows("VendorCredit")
    assert Decimal(str(credit["TotalAmt"])) == Decimal("200.00")
    now = await link(h)
    assert (now.target_kind, now.voided_target_id) == ("VendorCredit", po["Id"])
    assert (await version(h)).state == states.POSTED


async def test_invoice_void_lost_after_commit_is_not_voided_twice(h: Harness) -> None:
    order = prime_change_order(h.world, one_line("500.00"))
    await h.deliver()
    await h.drain()
    [invoice] = h.qbo_rows("Invoice")
    h.world.qbo.faults.drop_after_commit_next = 1
    h.world.procore.update_change_order(order, lines=one_line("-200.00"))
    await h.deliver()
    await h.drain()
    [voided] = h.qbo_rows("Invoice")
    assert str(voided["PrivateNote"]).startswith("Voided")
    token = voided["SyncToken"]

    h.clock.advance(31)
    await h.drain()
    [still] = h.qbo_rows("Invoice")
    assert still["SyncToken"] == token  # not voided a second time
    assert str(still["PrivateNote"]).count("Voided") == 1
    assert still["Id"] == invoice["Id"]
    assert len(h.qbo_rows("CreditMemo")) == 1
    assert (await link(h)).voided_target_id == invoice["Id"]
