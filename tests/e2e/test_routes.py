"""Document routes: prime change orders become invoices, or estimates by setting."""

from __future__ import annotations

from decimal import Decimal

from tests.e2e.conftest import Harness
from tests.e2e.scenario import one_line, prime_change_order


async def test_prime_change_order_becomes_an_invoice_to_the_job(harness: Harness) -> None:
    h = harness
    prime_change_order(h.world, [*one_line("21500.00"), *one_line("1250.00", "09-200", "L")])
    await h.deliver()
    await h.drain()
    [invoice] = h.qbo_rows("Invoice")
    assert invoice["CustomerRef"]["value"] == h.world.qbo_id(
        "customer", "Acme Builders:1021 Main St Renovation"
    )
    assert invoice["DocNumber"] == "1021-PCO-001"
    assert Decimal(str(invoice["TotalAmt"])) == Decimal("22750.00")
    items = {
        line["SalesItemLineDetail"]["ItemRef"]["value"]
        for line in invoice["Line"]
        if line.get("DetailType") == "SalesItemLineDetail"
    }
    assert items == {h.world.qbo_id("item", "Change Order Work")}
    assert h.qbo_rows("Estimate") == []


async def test_prime_change_order_becomes_an_estimate_by_setting(harness: Harness) -> None:
    h = harness
    h.svc.settings = h.svc.settings.model_copy(update={"prime_change_order_target": "estimate"})
    prime_change_order(h.world, one_line("900.00"))
    await h.deliver()
    await h.drain()
    assert h.qbo_rows("Invoice") == []
    [estimate] = h.qbo_rows("Estimate")
    assert Decimal(str(estimate["TotalAmt"])) == Decimal("900.00")
