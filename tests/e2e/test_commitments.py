"""Commitments post as purchase orders; their change orders amend them or post separately;
edits a bookkeeper makes in QuickBooks survive, or stop the update and ask.

Through both sandboxes and the real service, as a firm runs it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col

from db.models import DocumentVersion, SourceDocumentRow, TargetLink
from sandbox.demo.company import COMMITMENT_RESOURCES, TEN_LINES
from sandbox.procore.state import LineSeed
from sync.engine import states
from sync.engine.conflicts import resolve_conflict
from sync.engine.documents import reasons_of
from sync.engine.voids import void_document
from sync.errors import EDITED_IN_TARGET
from sync.targets.base import tagged_line_id

from .conftest import Harness

SOV = TEN_LINES[:6]


@pytest.fixture
def harness(harness: Harness) -> Harness:
    """The e2e harness with the commitments' own webhooks subscribed as well."""
    (hook,) = harness.world.procore.hooks.values()
    for resource in COMMITMENT_RESOURCES:
        for event in ("create", "update", "delete"):
            harness.world.procore.add_trigger(hook.id, resource, event)
    return harness


def amend_mode(h: Harness) -> None:
    h.svc.settings = h.svc.settings.model_copy(update={"commitment_change_orders": "amend"})


def commitment(h: Harness, *, unseen: bool = False) -> int:
    """An approved subcontract with a six-line schedule of values. ``unseen``: its webhook is
    one costbridge ignores (as if it predated the hook), so only a change order brings it."""
    return h.world.procore.add_commitment(
        h.world.project_ids[0],
        h.world.vendor_ids[0],
        number="SC-200",
        title="Electrical subcontract",
        status="Approved",
        lines=SOV,
        source_application_id=h.svc.settings.procore_client_id if unseen else None,
    ).id


def change_order(h: Harness, commitment_id: int, number: str, lines: list[LineSeed]) -> int:
    return h.world.procore.add_commitment_change_order(
        commitment_id, number, lines, title=f"CO {number}", status="approved"
    ).id


async def settle(harness: Harness) -> None:
    h = harness
    await h.deliver()
    await h.drain()


async def row_of(h: Harness, kind: str, external_id: int) -> SourceDocumentRow:
    async with h.svc.sessions() as session:
        stmt = select(SourceDocumentRow).where(
            col(SourceDocumentRow.kind) == kind,
            col(SourceDocumentRow.external_id) == str(external_id),
        )
        return (await session.execute(stmt)).scalar_one()


async def version_of(h: Harness, kind: str, external_id: int) -> DocumentVersion:
    row = await row_of(h, kind, external_id)
    async with h.svc.sessions() as session:
        version = await session.get(DocumentVersion, row.current_version_id)
        assert version is not None
        return version


async def link_of(h: Harness, kind: str, external_id: int) -> TargetLink:
    row = await row_of(h, kind, external_id)
    async with h.svc.sessions() as session:
        stmt = select(TargetLink).where(col(TargetLink.document_id) == row.id)
        return (await session.execute(stmt)).scalar_one()


def amounts(po: dict[str, Any]) -> list[Decimal]:
    return [Decimal(str(line["Amount"])) for line in po["Line"]]


def the_po(h: Harness) -> dict[str, Any]:
    (po,) = h.qbo_rows("PurchaseOrder")
    return po


async def test_a_commitment_with_six_sov_lines_posts_as_one_purchase_order(
    harness: Harness,
) -> None:
    h = harness
    com = commitment(h)
    await settle(h)
    po = the_po(h)
    assert amounts(po) == [Decimal(str(seed.amount)) for seed in SOV]
    assert Decimal(str(po["TotalAmt"])) == sum((Decimal(str(s.amount)) for s in SOV), Decimal(0))
    assert po["DocNumber"].endswith("SC-200")
    assert po["VendorRef"]["value"] == h.world.qbo_id("vendor", "Bright Spark Electric")
    assert "Electrical subcontract" in po["PrivateNote"]
    assert (await version_of(h, "commitment", com)).state == states.POSTED


async def test_amend_adds_each_change_orders_lines_and_a_revision_edits_only_its_own(
    harness: Harness,
) -> None:
    h = harness
    amend_mode(h)
    com = commitment(h)
    await settle(h)
    first = change_order(h, com, "001", [LineSeed("Add receptacles", "1260.00", "16-100", "S")])
    second = change_order(
        h,
        com,
        "002",
        [
            LineSeed("Extra conduit", "410.00", "16-100", "M"),
            LineSeed("Credit: fixtures by owner", "-300.00", "16-100", "M"),
        ],
    )
    await settle(h)

    po = the_po(h)  # still one purchase order: the commitment's
    assert len(po["Line"]) == 9
    assert amounts(po)[6:] == [Decimal("1260.00"), Decimal("410.00"), Decimal("-300.00")]
    tags = [tagged_line_id(line.get("Description") or "") for line in po["Line"]]
    assert tags[:6] == [None] * 6 and None not in tags[6:]
    assert "[CO 002 line" in po["Line"][8]["Description"]
    link = await link_of(h, "commitment_change_order", second)
    assert link.amends_document_id == (await row_of(h, "commitment", com)).id
    assert link.target_id == po["Id"] and Decimal(link.total) == Decimal("110.00")
    assert (await version_of(h, "commitment_change_order", first)).state == states.POSTED

    h.world.procore.update_change_order(
        second,
        lines=[
            LineSeed("Extra conduit", "455.00", "16-100", "M"),
            LineSeed("Credit: fixtures by owner", "-300.00", "16-100", "M"),
            LineSeed("Pull boxes", "88.00", "16-100", "M"),
        ],
    )
    await settle(h)
    po = the_po(h)
    assert amounts(po) == [Decimal(str(s.amount)) for s in SOV] + [
        Decimal("1260.00"), Decimal("455.00"), Decimal("-300.00"), Decimal("88.00")
    ]  # fmt: skip
    first_link = await link_of(h, "commitment_change_order", first)
    (first_line,) = json.loads(first_link.line_ids).values()
    assert [line["Id"] for line in po["Line"]][6] == first_line  # CO 001's line is untouched


async def test_a_change_order_read_before_its_commitment_waits_then_amends(
    harness: Harness,
) -> None:
    h = harness
    amend_mode(h)
    com = commitment(h, unseen=True)
    order = change_order(h, com, "001", [LineSeed("Add receptacles", "1260.00", "16-100", "S")])
    await settle(h)
    po = the_po(h)
    assert len(po["Line"]) == 7
    version = await version_of(h, "commitment_change_order", order)
    assert version.state == states.POSTED and version.attempts == 0


async def test_separate_mode_posts_each_change_order_as_its_own_purchase_order(
    harness: Harness,
) -> None:
    h = harness
    com = commitment(h)
    await settle(h)
    change_order(h, com, "001", [LineSeed("Add receptacles", "1260.00", "16-100", "S")])
    await settle(h)
    rows = sorted(h.qbo_rows("PurchaseOrder"), key=lambda po: len(po["Line"]))
    assert [len(po["Line"]) for po in rows] == [1, 6]


async def test_voiding_an_amending_change_order_removes_only_its_lines(harness: Harness) -> None:
    h = harness
    amend_mode(h)
    com = commitment(h)
    await settle(h)
    order = change_order(h, com, "001", [LineSeed("Add receptacles", "1260.00", "16-100", "S")])
    await settle(h)
    assert len(the_po(h)["Line"]) == 7

    h.world.procore.delete_change_order(order)
    await settle(h)
    version = await version_of(h, "commitment_change_order", order)
    assert version.state == states.NEEDS_ATTENTION  # asks first (COSTBRIDGE_AUTO_VOID off)
    done = await void_document(
        h.svc, str((await row_of(h, "commitment_change_order", order)).id), actor="U1"
    )
    assert done.done and "lines removed" in done.detail
    po = the_po(h)  # the commitment's purchase order stays, without the change order's line
    assert amounts(po) == [Decimal(str(s.amount)) for s in SOV]
    assert (await link_of(h, "commitment_change_order", order)).voided


async def bookkeeper_saves(h: Harness, **fields: Any) -> None:
    """A save in QuickBooks Online's own window: a sparse update with the current SyncToken."""
    po = the_po(h)
    body = {"Id": po["Id"], "SyncToken": po["SyncToken"], "sparse": True, **fields}
    h.world.qbo.save(h.world.qbo_company.realm_id, "PurchaseOrder", body)


async def test_a_memo_and_a_line_added_in_quickbooks_survive_a_procore_update(
    harness: Harness,
) -> None:
    h = harness
    com = commitment(h)
    await settle(h)
    po = the_po(h)
    freight = {
        "Amount": 75,
        "Description": "Freight (added in QuickBooks)",
        "DetailType": "AccountBasedExpenseLineDetail",
        "AccountBasedExpenseLineDetail": {
            "AccountRef": po["Line"][0]["AccountBasedExpenseLineDetail"]["AccountRef"]
        },
    }
    await bookkeeper_saves(h, Memo="Deliver to gate 2", Line=[*po["Line"], freight])

    sixth = h.world.procore.commitments[com].lines[5].id
    h.world.procore.update_commitment_line(com, sixth, amount="7140.00")
    await settle(h)
    po = the_po(h)
    assert po["Memo"] == "Deliver to gate 2"
    assert po["Line"][-1]["Description"] == "Freight (added in QuickBooks)"
    assert (await version_of(h, "commitment", com)).state == states.POSTED  # no conflict
    assert amounts(po)[5] == Decimal("7140.00") and len(po["Line"]) == 7


async def test_an_edit_to_an_owned_field_asks_once_and_overwrite_or_keep_decides(
    harness: Harness,
) -> None:
    h = harness
    com = commitment(h)
    await settle(h)
    await bookkeeper_saves(h, PrivateNote="Approved by Sam, do not change")

    h.world.procore.update_commitment(com, title="Electrical subcontract (rev 1)")
    await settle(h)
    version = await version_of(h, "commitment", com)
    assert version.state == states.NEEDS_ATTENTION
    (reason,) = reasons_of(version)
    assert reason.kind == EDITED_IN_TARGET and "PrivateNote" in reason.message
    assert the_po(h)["PrivateNote"] == "Approved by Sam, do not change"
    await settle(h)  # nothing more happens by itself: asked once
    assert (await version_of(h, "commitment", com)).state == states.NEEDS_ATTENTION

    row = await row_of(h, "commitment", com)
    await resolve_conflict(h.svc, str(row.id), "overwrite", actor="U1")
    await h.drain()
    assert "(rev 1)" in the_po(h)["PrivateNote"]
    assert (await version_of(h, "commitment", com)).state == states.POSTED

    await bookkeeper_saves(h, PrivateNote="Sam again")
    h.world.procore.update_commitment(com, title="Electrical subcontract (rev 2)")
    await settle(h)
    await resolve_conflict(h.svc, str(row.id), "keep", actor="U2")
    assert (await version_of(h, "commitment", com)).state == states.SKIPPED
    h.world.procore.update_commitment(com, title="Electrical subcontract (rev 3)")
    await settle(h)
    assert the_po(h)["PrivateNote"] == "Sam again"
    later = await version_of(h, "commitment", com)
    assert later.state == states.SKIPPED
