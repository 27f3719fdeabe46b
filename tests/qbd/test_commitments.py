"""Commitments on QuickBooks Desktop: a commitment posts as a purchase order (PurchaseOrderAdd,
checked against qbxmlops130.xsd by the harness); in ``amend`` mode its change orders add their
lines to it with header-less PurchaseOrderMods that keep every other line by TxnLineID, a
revision edits exactly its own lines, and a void takes them off again; ``separate`` mode posts
each change order as a purchase order of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from sandbox.demo.company import COMMITMENT_RESOURCES, TEN_LINES
from sandbox.procore.state import LineSeed
from sandbox.qbd.records import Txn, TxnLine
from sync.clock import FrozenClock
from sync.engine import states
from sync.engine.documents import reasons_of
from sync.engine.voids import VoidRefused, void_document
from sync.errors import EDITED_IN_TARGET
from sync.targets.base import tagged_line_id
from tests.qbd.conftest import QbdHarness, make_harness
from tests.qbd.test_credits import tags

SOV = TEN_LINES[:6]
SOV_AMOUNTS = [Decimal(str(seed.amount)) for seed in SOV]


def amounts(*extra: str) -> list[Decimal]:
    """The schedule of values' amounts, then ``extra``: a purchase order's lines in order."""
    return [*SOV_AMOUNTS, *(Decimal(amount) for amount in extra)]


async def _harness(
    db_url: str, tmp_path: Path, clock: FrozenClock, mode: str
) -> AsyncIterator[QbdHarness]:
    harness, clients = await make_harness(db_url, tmp_path, clock, commitment_change_orders=mode)
    (hook,) = harness.world.procore.hooks.values()
    for resource in COMMITMENT_RESOURCES:
        for event in ("create", "update", "delete"):
            harness.world.procore.add_trigger(hook.id, resource, event)
    try:
        yield harness
    finally:
        for client in clients:
            await client.aclose()
        await harness.svc.aclose()
    assert not harness.company.rejected, "a request failed qbxmlops130.xsd"


@pytest.fixture
async def amend(db_url: str, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[QbdHarness]:
    async for harness in _harness(db_url, tmp_path, clock, "amend"):
        yield harness


@pytest.fixture
async def separate(db_url: str, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[QbdHarness]:
    async for harness in _harness(db_url, tmp_path, clock, "separate"):
        yield harness


async def run(qbd: QbdHarness) -> list[str]:
    """Procore's webhooks delivered, the worker idle, then one Web Connector run."""
    await qbd.deliver_and_drain()
    log = await qbd.poll()
    assert log.progress[-1] == 100
    return log.requests


async def posted_commitment(qbd: QbdHarness) -> tuple[int, Txn]:
    assert (await qbd.poll()).progress[-1] == 100  # lists read
    commitment = qbd.world.procore.add_commitment(
        qbd.world.project_ids[0],
        qbd.world.vendor_ids[0],
        number="SC-200",
        title="Electrical subcontract",
        status="Approved",
        lines=SOV,
    )
    await run(qbd)
    [po] = qbd.company.of_kind("PurchaseOrder")
    assert (await qbd.version_of(commitment.id)).state == states.POSTED
    return commitment.id, po


def change_order(qbd: QbdHarness, commitment_id: int, number: str, lines: list[LineSeed]) -> int:
    return qbd.world.procore.add_commitment_change_order(
        commitment_id, number, lines, title=f"CO {number}", status="approved"
    ).id


def mods(requests: list[str]) -> list[etree._Element]:
    """Every PurchaseOrderMod sent in these message sets."""
    found: list[etree._Element] = []
    for request in requests:
        root = etree.fromstring(request.split("?>", 1)[-1].encode())
        found += root.findall(".//PurchaseOrderMod")
    return found


async def test_a_commitment_with_six_sov_lines_is_one_purchase_order(amend: QbdHarness) -> None:
    qbd = amend
    _, po = await posted_commitment(qbd)
    assert qbd.company.lists["vendor"][po.party_id].full_name == "Bright Spark Electric"
    assert [line.amount for line in po.lines] == SOV_AMOUNTS
    assert "Electrical subcontract" in po.memo and po.ref_number.endswith("SC-200")


async def test_two_change_orders_amend_the_purchase_order_and_a_revision_edits_only_its_lines(
    amend: QbdHarness,
) -> None:
    qbd = amend
    commitment, po = await posted_commitment(qbd)
    memo, ref_number, vendor = po.memo, po.ref_number, po.party_id
    first = change_order(
        qbd, commitment, "001", [LineSeed("Receptacles", "1260.00", "16-100", "S")]
    )
    second = change_order(
        qbd,
        commitment,
        "002",
        [
            LineSeed("Extra conduit", "410.00", "16-100", "M"),
            LineSeed("Credit: fixtures by owner", "-300.00", "16-100", "M"),
        ],
    )
    sent = await run(qbd)

    [po] = qbd.company.of_kind("PurchaseOrder")  # still one purchase order: the commitment's
    assert [line.amount for line in po.lines] == amounts("1260.00", "410.00", "-300.00")
    assert [tagged_line_id(line.desc) for line in po.lines[:6]] == [None] * 6
    assert all(tagged_line_id(line.desc) for line in po.lines[6:])
    assert "[CO 002 line" in po.lines[8].desc
    # the change orders own no header: their Mods name lines only, and the header is as it was
    assert (po.memo, po.ref_number, po.party_id) == (memo, ref_number, vendor)
    assert mods(sent) and all(
        mod.find("VendorRef") is None and mod.find("RefNumber") is None and mod.find("Memo") is None
        for mod in mods(sent)
    )
    link = await qbd.link_of(second)
    assert link is not None and link.target_id == po.txn_id
    assert link.amends_document_id == (await qbd.version_of(commitment)).document_id
    assert Decimal(link.total) == Decimal("110.00")  # its own share of the purchase order
    assert (await qbd.version_of(first)).state == states.POSTED
    assert (await qbd.version_of(second)).state == states.POSTED
    first_line = po.lines[6]

    qbd.world.procore.update_change_order(
        second,
        lines=[
            LineSeed("Extra conduit", "455.00", "16-100", "M"),
            LineSeed("Credit: fixtures by owner", "-300.00", "16-100", "M"),
            LineSeed("Pull boxes", "88.00", "16-100", "M"),
        ],
    )
    await run(qbd)
    [po] = qbd.company.of_kind("PurchaseOrder")
    assert [line.amount for line in po.lines] == amounts("1260.00", "455.00", "-300.00", "88.00")
    assert po.lines[6] == first_line  # CO 001's line: same TxnLineID, untouched
    assert (await qbd.version_of(second)).state == states.POSTED


async def test_a_change_order_read_before_its_commitment_waits_then_amends(
    amend: QbdHarness,
) -> None:
    qbd = amend
    assert (await qbd.poll()).progress[-1] == 100
    commitment = qbd.world.procore.add_commitment(
        qbd.world.project_ids[0],
        qbd.world.vendor_ids[0],
        number="SC-200",
        title="Electrical subcontract",
        status="Approved",
        lines=SOV,
    )
    order = change_order(
        qbd, commitment.id, "001", [LineSeed("Receptacles", "1260.00", "16-100", "S")]
    )
    await run(qbd)  # the commitment's Add; the change order waits for its answer
    await run(qbd)  # that answer woke it: its lines go on now
    [po] = qbd.company.of_kind("PurchaseOrder")
    assert [line.amount for line in po.lines] == amounts("1260.00")
    version = await qbd.version_of(order)
    assert version.state == states.POSTED and version.attempts == 0


async def test_a_bookkeepers_memo_and_line_survive_and_an_edit_to_our_line_asks(
    amend: QbdHarness,
) -> None:
    qbd = amend
    commitment, po = await posted_commitment(qbd)
    order = change_order(
        qbd, commitment, "001", [LineSeed("Receptacles", "1260.00", "16-100", "S")]
    )
    await run(qbd)
    freight = TxnLine(
        line_id="", amount=Decimal("75.00"), desc="Freight", item_id=po.lines[0].item_id
    )
    qbd.company.edit_as_user(po.txn_id, memo="Call before delivery", add_line=freight)

    qbd.world.procore.update_change_order(
        order, lines=[LineSeed("Receptacles", "1390.00", "16-100", "S")]
    )
    await run(qbd)
    [po] = qbd.company.of_kind("PurchaseOrder")
    assert po.memo == "Call before delivery"  # not ours: kept
    assert [line.amount for line in po.lines] == amounts(
        "75.00", "1390.00"
    )  # its revised line is a new Procore line

    ours = po.lines[7]
    qbd.company.edit_as_user(
        po.txn_id, change_line=TxnLine(**{**vars(ours), "amount": Decimal("1400.00")})
    )
    qbd.world.procore.update_change_order(
        order, lines=[LineSeed("Receptacles", "1500.00", "16-100", "S")]
    )
    await run(qbd)
    [po] = qbd.company.of_kind("PurchaseOrder")
    assert po.lines[7].amount == Decimal("1400.00")  # never silently overwritten
    version = await qbd.version_of(order)
    assert version.state == states.NEEDS_ATTENTION
    [reason] = reasons_of(version)
    assert reason.kind == EDITED_IN_TARGET and "this change order's lines" in reason.message
    assert "1390" in reason.message and "1400" in reason.message


async def test_voiding_an_amending_change_order_takes_off_only_its_lines(
    amend: QbdHarness,
) -> None:
    qbd = amend
    commitment, po = await posted_commitment(qbd)
    keep = change_order(qbd, commitment, "001", [LineSeed("Receptacles", "1260.00", "16-100", "S")])
    order = change_order(
        qbd,
        commitment,
        "002",
        [LineSeed("Conduit", "410.00", "16-100", "M"), LineSeed("Boxes", "90.00", "16-100", "M")],
    )
    await run(qbd)
    [po] = qbd.company.of_kind("PurchaseOrder")
    assert len(po.lines) == 9
    qbd.world.procore.delete_change_order(order)
    await qbd.deliver_and_drain()
    assert (await qbd.version_of(order)).state == states.NEEDS_ATTENTION  # asks first

    done = await void_document(qbd.svc, f"procore:{order}", actor="cli")
    again = await void_document(qbd.svc, f"procore:{order}", actor="cli")  # before the answer
    assert not done.done and not again.done and "removal of its lines" in done.detail
    assert [r.kind for r in await qbd.requests()].count("void") == 1  # queued once
    sent = (await qbd.poll()).requests
    assert "<TxnDelRq" not in tags(sent) and "<TxnVoidRq" not in tags(sent)
    [po] = qbd.company.of_kind("PurchaseOrder")  # the commitment's purchase order stays
    assert [line.amount for line in po.lines] == amounts("1260.00")
    link = await qbd.link_of(order)
    assert link is not None and link.voided
    settled = await qbd.version_of(order)
    assert settled.state == states.SKIPPED
    assert (await qbd.version_of(keep)).state == states.POSTED
    assert (await qbd.poll()).status == "none"  # nothing more to send
    with pytest.raises(VoidRefused, match="already voided"):
        await void_document(qbd.svc, f"procore:{order}", actor="cli")


async def test_a_removal_whose_answer_was_lost_is_not_sent_twice(amend: QbdHarness) -> None:
    qbd = amend
    commitment, _ = await posted_commitment(qbd)
    order = change_order(
        qbd, commitment, "001", [LineSeed("Receptacles", "1260.00", "16-100", "S")]
    )
    await run(qbd)
    qbd.world.procore.delete_change_order(order)
    await qbd.deliver_and_drain()
    await void_document(qbd.svc, f"procore:{order}", actor="cli")
    qbd.connector.faults.cut_after = 2  # the read, then the Mod runs and its answer is lost
    await qbd.poll()
    qbd.connector.faults.cut_after = None
    [po] = qbd.company.of_kind("PurchaseOrder")
    assert [line.amount for line in po.lines] == SOV_AMOUNTS  # it landed
    sent = (await qbd.poll()).requests
    assert not mods(sent)  # read again: its lines are gone, nothing more to send
    assert (await qbd.link_of(order)).voided  # type: ignore[union-attr]
    [po] = qbd.company.of_kind("PurchaseOrder")
    assert [line.amount for line in po.lines] == SOV_AMOUNTS


async def test_separate_mode_posts_each_change_order_as_its_own_purchase_order(
    separate: QbdHarness,
) -> None:
    qbd = separate
    commitment, _ = await posted_commitment(qbd)
    order = change_order(
        qbd, commitment, "001", [LineSeed("Receptacles", "1260.00", "16-100", "S")]
    )
    await run(qbd)
    pos = sorted(qbd.company.of_kind("PurchaseOrder"), key=lambda t: len(t.lines))
    assert [len(t.lines) for t in pos] == [1, 6]
    link = await qbd.link_of(order)
    assert link is not None and link.amends_document_id is None and link.target_id == pos[0].txn_id
