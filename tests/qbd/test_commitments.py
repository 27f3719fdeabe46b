"""A commitment posts to QuickBooks Desktop as a purchase order (PurchaseOrderAdd, checked
against qbxmlops130.xsd by the harness); its change orders post as purchase orders of their own
(Desktop does not amend yet, whatever COSTBRIDGE_COMMITMENT_CHANGE_ORDERS says)."""

from __future__ import annotations

from decimal import Decimal

from sandbox.demo.company import COMMITMENT_RESOURCES, TEN_LINES
from sandbox.procore.state import LineSeed
from sync.engine import states
from tests.qbd.conftest import QbdHarness

SOV = TEN_LINES[:6]


async def test_a_commitment_with_six_sov_lines_is_one_purchase_order(qbd: QbdHarness) -> None:
    (hook,) = qbd.world.procore.hooks.values()
    for resource in COMMITMENT_RESOURCES:
        for event in ("create", "update", "delete"):
            qbd.world.procore.add_trigger(hook.id, resource, event)
    assert (await qbd.poll()).progress[-1] == 100  # lists read
    commitment = qbd.world.procore.add_commitment(
        qbd.world.project_ids[0],
        qbd.world.vendor_ids[0],
        number="SC-200",
        title="Electrical subcontract",
        status="Approved",
        lines=SOV,
    )
    await qbd.deliver_and_drain()
    assert (await qbd.poll()).progress[-1] == 100
    [po] = qbd.company.of_kind("PurchaseOrder")
    assert qbd.company.lists["vendor"][po.party_id].full_name == "Bright Spark Electric"
    assert [line.amount for line in po.lines] == [Decimal(str(s.amount)) for s in SOV]
    assert "Electrical subcontract" in po.memo
    assert (await qbd.version_of(commitment.id)).state == states.POSTED

    order = qbd.world.procore.add_commitment_change_order(
        commitment.id,
        "001",
        [LineSeed("Add receptacles", "1260.00", "16-100", "S")],
        title="Receptacles",
        status="approved",
    )
    await qbd.deliver_and_drain()
    assert (await qbd.poll()).progress[-1] == 100
    pos = sorted(qbd.company.of_kind("PurchaseOrder"), key=lambda t: len(t.lines))
    assert [len(t.lines) for t in pos] == [1, 6]
    assert (await qbd.version_of(order.id)).state == states.POSTED
