"""Credits, end to end through both sandboxes: a change order that takes money back posts as a
vendor credit or a credit memo with exact amounts; mixed-sign lines stay one document; zero
and routes without a credit are settled in words, never silently."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col

from db.models import DocumentVersion, HistoryEntry, SourceDocumentRow, TargetLink
from sandbox.procore.state import LineSeed
from sync.engine import states
from tests.e2e.conftest import Harness
from tests.e2e.scenario import commitment_change_order, prime_change_order

JOB = "Acme Builders:1021 Main St Renovation"


@pytest.fixture
def h(harness: Harness) -> Harness:
    return harness


def amounts(row: dict[str, Any]) -> list[Decimal]:
    # str() first: the sandbox keeps what JSON carried (Decimal or int), never a float
    return [Decimal(str(line["Amount"])) for line in row["Line"]]


async def version(h: Harness) -> DocumentVersion:
    async with h.svc.sessions() as session:
        doc = (await session.execute(select(SourceDocumentRow))).scalars().one()
        found = await session.get(DocumentVersion, doc.current_version_id)
        assert found is not None
        return found


async def link(h: Harness) -> TargetLink:
    async with h.svc.sessions() as session:
        return (await session.execute(select(TargetLink))).scalars().one()


async def history(h: Harness) -> list[HistoryEntry]:
    async with h.svc.sessions() as session:
        stmt = select(HistoryEntry).order_by(col(HistoryEntry.id))
        return list((await session.execute(stmt)).scalars())


async def test_deductive_commitment_change_order_posts_a_vendor_credit(h: Harness) -> None:
    commitment_change_order(
        h.world,
        [
            LineSeed("Floor boxes not installed", "-18450.00", "16-100", "S", "-4", "4612.50"),
            LineSeed("Less concrete labour", "-310.25", "03-300", "L"),
        ],
    )
    await h.deliver()
    await h.drain()

    assert h.qbo_rows("PurchaseOrder") == []
    [credit] = h.qbo_rows("VendorCredit")
    assert credit["VendorRef"]["value"] == h.world.qbo_id("vendor", "Bright Spark Electric")
    assert credit["DocNumber"] == "SC-100-001"
    assert amounts(credit) == [Decimal("18450.00"), Decimal("310.25")]
    assert Decimal(str(credit["TotalAmt"])) == Decimal("18760.25")
    details = [line["AccountBasedExpenseLineDetail"] for line in credit["Line"]]
    assert [d["AccountRef"]["value"] for d in details] == [
        h.world.qbo_id("account", "Electrical Subcontract"),
        h.world.qbo_id("account", "Labor"),
    ]
    assert {d["CustomerRef"]["value"] for d in details} == {h.world.qbo_id("customer", JOB)}
    current = await version(h)
    assert current.state == states.POSTED and current.total == "-18760.25"
    posted = await link(h)
    assert (posted.target_kind, posted.target_id) == ("VendorCredit", credit["Id"])
    assert posted.total == "18760.25"  # what QuickBooks holds: the amount credited


async def test_deductive_prime_change_order_posts_a_credit_memo(h: Harness) -> None:
    prime_change_order(
        h.world,
        [
            LineSeed("Owner deletes alternate 2", "-21500.00", "16-100", "S"),
            LineSeed("Less patching", "-1250.05", "09-200", "L"),
        ],
    )
    await h.deliver()
    await h.drain()

    assert h.qbo_rows("Invoice") == []
    [memo] = h.qbo_rows("CreditMemo")
    assert memo["CustomerRef"]["value"] == h.world.qbo_id("customer", JOB)
    assert memo["DocNumber"] == "1021-PCO-001"
    assert amounts(memo) == [Decimal("21500.00"), Decimal("1250.05")]
    assert Decimal(str(memo["TotalAmt"])) == Decimal("22750.05")
    items = {line["SalesItemLineDetail"]["ItemRef"]["value"] for line in memo["Line"]}
    assert items == {h.world.qbo_id("item", "Change Order Work")}
    assert (await link(h)).target_kind == "CreditMemo"


async def test_mixed_sign_lines_with_a_positive_total_stay_one_purchase_order(h: Harness) -> None:
    commitment_change_order(
        h.world,
        [
            LineSeed("Add receptacles", "1000.00", "16-100", "S"),
            LineSeed("Less lift rental", "-250.50", "01-100", "E"),
        ],
    )
    await h.deliver()
    await h.drain()
    assert h.qbo_rows("VendorCredit") == []
    [po] = h.qbo_rows("PurchaseOrder")
    assert amounts(po) == [Decimal("1000.00"), Decimal("-250.50")]
    assert Decimal(str(po["TotalAmt"])) == Decimal("749.50")


async def test_mixed_sign_lines_with_a_negative_total_are_one_credit(h: Harness) -> None:
    commitment_change_order(
        h.world,
        [
            LineSeed("Add receptacles", "100.00", "16-100", "S"),
            LineSeed("Omit floor boxes", "-400.00", "16-100", "S"),
        ],
    )
    await h.deliver()
    await h.drain()
    assert h.qbo_rows("PurchaseOrder") == []
    [credit] = h.qbo_rows("VendorCredit")
    assert amounts(credit) == [Decimal("-100.00"), Decimal("400.00")]  # the opposite sign
    assert Decimal(str(credit["TotalAmt"])) == Decimal("300.00")


async def test_zero_everywhere_is_skipped_with_a_history_line(h: Harness) -> None:
    commitment_change_order(h.world, [LineSeed("No cost change", "0.00", "16-100", "S")])
    await h.deliver()
    await h.drain()
    assert h.qbo_rows("PurchaseOrder") == [] and h.qbo_rows("VendorCredit") == []
    assert (await version(h)).state == states.SKIPPED
    last = (await history(h))[-1]
    assert last.cause == "nothing to post"
    assert "totals 0.00 and no line has an amount" in last.detail


async def test_zero_total_that_moves_money_between_lines_posts(h: Harness) -> None:
    commitment_change_order(
        h.world,
        [
            LineSeed("Move to labour", "420.00", "03-300", "L"),
            LineSeed("From materials", "-420.00", "03-300", "M"),
        ],
    )
    await h.deliver()
    await h.drain()
    [po] = h.qbo_rows("PurchaseOrder")
    assert amounts(po) == [Decimal("420.00"), Decimal("-420.00")]
    assert Decimal(str(po["TotalAmt"])) == Decimal("0")
    assert (await version(h)).state == states.POSTED


async def test_negative_prime_change_order_on_the_estimate_route_asks_a_person(
    h: Harness,
) -> None:
    h.svc.settings = h.svc.settings.model_copy(update={"prime_change_order_target": "estimate"})
    prime_change_order(h.world, [LineSeed("Owner deletes alternate", "-900.00", "16-100", "S")])
    await h.deliver()
    await h.drain()
    assert h.qbo_rows("Estimate") == [] and h.qbo_rows("CreditMemo") == []
    current = await version(h)
    assert current.state == states.NEEDS_ATTENTION
    [reason] = json.loads(current.reasons)
    assert reason["kind"] == "no_credit_document"
    assert "-900.00" in reason["message"] and "Estimate" in reason["message"]
