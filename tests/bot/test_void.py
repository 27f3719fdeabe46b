"""A posted change order deleted in Procore: one Slack question with a confirmed "Void in
QuickBooks" button, approvers only, through the durable queue, voided once, edited in place."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from bot import ids
from bot.blocks.limits import violations
from db.models import AuditEntry, DocumentVersion, SourceDocumentRow, TargetLink, WorkItem
from sandbox.slack.state import APPROVER, VIEWER
from sync.engine import states
from tests.bot.conftest import CHANNEL, SlackHarness
from tests.e2e.scenario import commitment_change_order, one_line


def _has_void(blocks: list[dict[str, Any]]) -> bool:
    return any(e.get("action_id") == ids.VOID for b in blocks for e in b.get("elements", []))


async def _posted_and_deleted(h: SlackHarness) -> int:
    order = commitment_change_order(h.world, one_line("5400.00"))
    await h.deliver()
    await h.drain()
    assert h.messages() == []  # posted cleanly: nobody is asked anything
    h.world.procore.delete_change_order(order)
    await h.deliver()
    await h.drain()
    return order


async def _state(h: SlackHarness) -> tuple[DocumentVersion, TargetLink]:
    async with h.svc.sessions() as session:
        row = (await session.execute(select(SourceDocumentRow))).scalar_one()
        version = await session.get(DocumentVersion, row.current_version_id)
        link = (await session.execute(select(TargetLink))).scalar_one()
    assert version is not None
    return version, link


async def test_void_from_slack_deletes_the_purchase_order_once(slack: SlackHarness) -> None:
    h = slack
    await _posted_and_deleted(h)
    message = h.only_message()
    assert "Needs attention" in message.text
    assert violations(message.blocks, text=message.text) == []
    [po] = h.qbo_rows("PurchaseOrder")
    button = h.button(message, ids.VOID)
    dialog = button["confirm"]["text"]["text"]
    assert dialog.startswith(f"Void PurchaseOrder {po['DocNumber']} for $5,400.00 in QuickBooks?")
    assert button["confirm"]["confirm"]["text"] == "Void"

    await h.click(message, ids.VOID, user=VIEWER)  # not an approver: refused, nothing voided
    await h.drain()
    assert len(h.qbo_rows("PurchaseOrder")) == 1
    assert "Only approvers" in h.slack.ephemerals(VIEWER)[0].text

    await h.click(message, ids.VOID)
    await h.click(message, ids.VOID)  # a double click: one void
    async with h.svc.sessions() as session:  # the clicks wait in the durable queue
        kinds = (await session.execute(select(col(WorkItem.kind)))).scalars().all()
    assert list(kinds).count("slack_action") >= 2
    await h.drain()
    assert h.qbo_rows("PurchaseOrder") == []
    version, link = await _state(h)
    assert version.state == states.SKIPPED and link.voided
    assert link.voided_target_id == po["Id"]
    async with h.svc.sessions() as session:
        audit = (
            (await session.execute(select(AuditEntry).where(col(AuditEntry.action) == "void")))
            .scalars()
            .all()
        )
    assert [a.actor for a in audit] == [APPROVER]
    edited = h.slack.find(CHANNEL, message.ts)
    assert edited is not None and "Voided PurchaseOrder" in edited.text
    assert not _has_void(edited.blocks)
    replies = " ".join(r.text for r in h.slack.replies(CHANNEL, message.ts))
    assert f"<@{APPROVER}> voided PurchaseOrder {po['DocNumber']} in QuickBooks" in replies
    assert any("Already handled" in e.text for e in h.slack.ephemerals(APPROVER))
    assert len(h.messages()) == 1

    await h.deliver()  # the same webhook again: nothing more
    await h.drain()
    assert len(h.messages()) == 1 and (await _state(h))[0].state == states.SKIPPED


async def test_an_unapproved_change_order_offers_the_void_too(slack: SlackHarness) -> None:
    h = slack
    order = commitment_change_order(h.world, one_line("700.00"))
    await h.deliver()
    await h.drain()
    h.world.procore.update_change_order(order, status="pending")
    await h.deliver()
    await h.drain()
    message = h.only_message()
    assert "for $700.00 in QuickBooks?" in h.button(message, ids.VOID)["confirm"]["text"]["text"]
    await h.click(message, ids.VOID)
    await h.drain()
    assert h.qbo_rows("PurchaseOrder") == []
    version, link = await _state(h)
    assert version.state == states.SKIPPED and Decimal(link.total) == Decimal("700.00")


async def test_no_void_button_for_a_change_order_never_posted(slack: SlackHarness) -> None:
    h = slack
    commitment_change_order(h.world, one_line("700.00", code="31-000", kind="O"))  # unmapped
    await h.deliver()
    await h.drain()
    message = h.only_message()
    assert not _has_void(message.blocks)
