"""Edits a bookkeeper makes in QuickBooks Desktop survive a Procore update, or stop it and ask:
the Mod is planned from the transaction read with its lines just before (every request
checked against qbxmlops130.xsd by the harness)."""

from __future__ import annotations

import json
from decimal import Decimal

from sandbox.procore.state import LineSeed
from sandbox.qbd.records import TxnLine
from sync.engine import states
from sync.engine.conflicts import resolve_conflict
from sync.errors import EDITED_IN_TARGET
from tests.qbd.conftest import QbdHarness


def freight(qbd: QbdHarness, order_line: TxnLine) -> TxnLine:
    return TxnLine(
        line_id="",
        amount=Decimal("75.00"),
        desc="Freight (added in QuickBooks)",
        item_id=order_line.item_id,
        customer_id=order_line.customer_id,
    )


async def revise(qbd: QbdHarness, co: int, amount: str) -> list[str]:
    qbd.world.procore.update_change_order(
        co, lines=[LineSeed("Add 8 receptacles", amount, "16-100", "S")]
    )
    await qbd.deliver_and_drain()
    return (await qbd.poll()).requests


async def test_a_line_the_bookkeeper_added_survives_and_is_kept_by_id(
    posted_world: QbdHarness,
) -> None:
    qbd = posted_world
    await qbd.poll()
    co = qbd.world.change_order_ids[1]  # SC-001-002, one line
    link = await qbd.link_of(co)
    assert link is not None and len(json.loads(link.line_ids)) == 1
    order = qbd.company.txns[link.target_id]
    qbd.company.edit_as_user(link.target_id, add_line=freight(qbd, order.lines[0]))
    added = order.lines[-1].line_id

    requests = await revise(qbd, co, "1680.00")
    mod = next(r for r in requests if "<PurchaseOrderModRq" in r)
    assert f"<PurchaseOrderLineMod><TxnLineID>{added}</TxnLineID></PurchaseOrderLineMod>" in mod
    assert [line.amount for line in order.lines] == [Decimal("75.00"), Decimal("1680.00")]
    assert order.lines[0].desc == "Freight (added in QuickBooks)"
    assert (await qbd.version_of(co)).state == states.POSTED
    after = await qbd.link_of(co)
    assert after is not None and list(json.loads(after.line_ids).values()) == [
        order.lines[1].line_id
    ]


async def test_an_edit_to_our_amount_asks_and_nothing_is_sent_until_answered(
    posted_world: QbdHarness,
) -> None:
    qbd = posted_world
    await qbd.poll()
    co = qbd.world.change_order_ids[1]
    link = await qbd.link_of(co)
    assert link is not None
    order = qbd.company.txns[link.target_id]
    ours = order.lines[0]
    edited = TxnLine(**{**vars(ours), "amount": Decimal("1300.00")})
    qbd.company.edit_as_user(link.target_id, change_line=edited)

    requests = await revise(qbd, co, "1680.00")
    assert not any("<PurchaseOrderModRq" in r for r in requests)  # only the read
    version = await qbd.version_of(co)
    assert version.state == states.NEEDS_ATTENTION
    [reason] = json.loads(version.reasons)
    assert reason["kind"] == EDITED_IN_TARGET and "Amount '1260' → '1300'" in reason["message"]
    assert order.lines[0].amount == Decimal("1300.00")

    await resolve_conflict(qbd.svc, str(version.document_id), "overwrite", actor="U1")
    await qbd.deliver_and_drain()
    await qbd.poll()
    assert [line.amount for line in order.lines] == [Decimal("1680.00")]
    assert (await qbd.version_of(co)).state == states.POSTED
