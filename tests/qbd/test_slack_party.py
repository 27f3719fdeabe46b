"""A vendor created from Slack into QuickBooks Desktop: a name outside Latin-1 is fitted the
way transaction text is, QuickBooks accepts it, the link and every message use QuickBooks'
name, and the person who asked hears back whatever QuickBooks answered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlmodel import col

from bot import ids
from db.models import EntityLink
from db.models_slack import SlackMessage
from sandbox.demo.company import PROCORE_COMPANY_ID
from sandbox.qbd.schema import qbxml_schema
from sandbox.slack import SlackDriver, SlackState
from sandbox.slack import create_app as slack_app
from sandbox.slack.server import serving
from sandbox.slack.state import APPROVER, BOT_TOKEN, SIGNING_SECRET, Message
from sync.clock import FrozenClock
from sync.engine import states
from tests.e2e.scenario import one_line
from tests.qbd.conftest import QbdHarness, make_harness

CHANNEL = "C0SYNC"
ASKED = "Łódź Drywall Sp. z o.o."  # Ł and ź are not Latin-1
STORED = "Lódz Drywall Sp. z o.o."  # ó is


@dataclass
class DesktopSlack:
    qbd: QbdHarness
    slack: SlackState
    driver: SlackDriver

    def message(self) -> Message:
        [message] = self.slack.top_level(CHANNEL)
        return message

    def replies(self) -> str:
        return "\n".join(r.text for r in self.slack.replies(CHANNEL, self.message().ts))

    async def click(self, action_id: str) -> None:
        message = self.message()
        action = _button(message, action_id)
        response = await self.driver.block_action(CHANNEL, message.ts, action, user=APPROVER)
        assert response.status_code == 200
        await self.qbd.deliver_and_drain()


def _button(message: Message, action_id: str) -> dict[str, Any]:
    for block in message.blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return {**element, "block_id": block.get("block_id", "")}
    raise AssertionError(f"no {action_id} in {message.text}")


@pytest.fixture
async def desk(db_url: str, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[DesktopSlack]:
    state = SlackState()
    async with serving(slack_app(state, driver=None)) as slack_url:
        state.base_url = slack_url
        qbd, clients = await make_harness(
            db_url,
            tmp_path,
            clock,
            slack_bot_token=SecretStr(BOT_TOKEN),
            slack_signing_secret=SecretStr(SIGNING_SECRET),
            slack_api_base_url=f"{slack_url}/api/",
            slack_channel="#costbridge",
            slack_approvers=APPROVER,
        )
        try:
            yield DesktopSlack(qbd, state, SlackDriver(state, qbd.http))
        finally:
            for client in clients:
                await client.aclose()
            await qbd.svc.aclose()
    if qbxml_schema() is not None:
        assert not qbd.company.rejected, "a request failed qbxmlops130.xsd"


async def _waiting_for_the_vendor(h: DesktopSlack) -> tuple[int, int]:
    """The lists read, then a change order whose Procore vendor QuickBooks does not have."""
    await h.qbd.poll()
    world = h.qbd.world
    vendor = world.procore.add_vendor(PROCORE_COMPANY_ID, ASKED, origin_code="V-901")
    commitment = world.procore.add_commitment(world.project_ids[0], vendor.id, number="SC-400")
    order = world.procore.add_commitment_change_order(
        commitment.id, "001", one_line(), title="Drywall", status="approved"
    )
    await h.qbd.deliver_and_drain()
    assert (await h.qbd.version_of(order.id)).state == states.NEEDS_ATTENTION
    assert "Needs attention" in h.message().text
    assert ASKED in _button(h.message(), ids.CREATE_VENDOR)["confirm"]["text"]["text"]
    return vendor.id, order.id


async def _link(h: DesktopSlack, vendor_id: int) -> EntityLink | None:
    async with h.qbd.svc.sessions() as session:
        stmt = select(EntityLink).where(
            col(EntityLink.source_kind) == "vendor", col(EntityLink.source_id) == str(vendor_id)
        )
        return (await session.execute(stmt)).scalar_one_or_none()


async def test_a_polish_vendor_is_added_in_latin1_linked_and_the_requester_told(
    desk: DesktopSlack,
) -> None:
    h = desk
    vendor_id, order_id = await _waiting_for_the_vendor(h)
    await h.click(ids.CREATE_VENDOR)
    queued = h.replies()
    assert f"VendorAdd “{STORED}” queued" in queued and "name fitted" in queued

    log = await h.qbd.poll()  # the Web Connector carries the VendorAdd
    [add] = [r for r in log.requests if "<VendorAddRq" in r]
    assert f"<Name>{STORED}</Name>" in add
    added = h.qbd.company.by_name("vendor", STORED)
    assert added is not None and added.name == STORED
    link = await _link(h, vendor_id)
    assert link is not None and (link.target_id, link.author) == (added.list_id, APPROVER)
    assert link.target_name == STORED  # the link says what QuickBooks holds

    await h.qbd.deliver_and_drain()  # the answer reaches the requester; the order goes on
    told = h.replies()
    assert f"Created and linked “{STORED}” (for <@{APPROVER}>)" in told
    assert f"QuickBooks stores it as “{STORED}” (asked for “{ASKED}”)" in told
    await h.qbd.poll()
    await h.qbd.deliver_and_drain()  # the notice: the message follows the document
    assert (await h.qbd.version_of(order_id)).state == states.POSTED
    [order] = [o for o in h.qbd.company.of_kind("PurchaseOrder") if o.ref_number == "SC-400-001"]
    assert order.party_id == added.list_id
    shown = h.message()
    assert "Posted as PurchaseOrder" in shown.text
    # the Procore vendor keeps its own name; what was created is shown as QuickBooks has it
    assert f"vendor “{STORED}” created" in shown.text + str(shown.blocks)
    assert f"“{ASKED}” created" not in shown.text + str(shown.blocks)


async def test_a_request_quickbooks_cannot_parse_tells_the_requester(desk: DesktopSlack) -> None:
    h = desk
    vendor_id, order_id = await _waiting_for_the_vendor(h)
    await h.click(ids.CREATE_VENDOR)
    h.qbd.company.faults.unparseable.append("VendorAddRq")  # QuickBooks: 0x80040400
    log = await h.qbd.poll()
    assert any("<VendorAddRq" in r for r in log.requests) and "0x80040400" in log.answers
    assert log.progress[-1] == 100  # the rest of the queue went on
    await h.qbd.deliver_and_drain()

    told = h.replies()
    assert f"<@{APPROVER}>: nothing was created" in told
    assert f"QuickBooks Desktop did not add “{STORED}”" in told and "parse" in told
    [note] = h.slack.ephemerals(APPROVER)[-1:]
    assert f"did not add “{STORED}”" in note.text
    assert h.qbd.company.by_name("vendor", STORED) is None
    assert await _link(h, vendor_id) is None
    assert (await h.qbd.version_of(order_id)).state == states.NEEDS_ATTENTION
    async with h.qbd.svc.sessions() as session:
        msg = (await session.execute(select(SlackMessage))).scalar_one()
    assert msg.state == "open"  # asking again (or picking another vendor) is possible
