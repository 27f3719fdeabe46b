"""Create a missing vendor or job from Slack (confirmed), and pick existing ones, end to end."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from bot import ids
from bot.blocks.limits import violations
from db.models import AuditEntry, EntityLink
from db.models_slack import SlackMessage
from sandbox.demo.company import PROCORE_COMPANY_ID, QBO_REALM
from sandbox.procore.demo import seed_reference_data
from sandbox.slack.state import APPROVER, VIEWER, Message
from tests.bot.conftest import CHANNEL, SlackHarness
from tests.e2e.scenario import one_line

NEW_VENDOR = "Summit Steel Erectors"
NEW_PROJECT = ("Harbor View Condos", "HV-7")
JOB = "Harbor View Condos (HV-7)"


def _order(h: SlackHarness, *, project_id: int, vendor_id: int, number: str = "SC-300") -> int:
    commitment = h.world.procore.add_commitment(project_id, vendor_id, number=number)
    order = h.world.procore.add_commitment_change_order(
        commitment.id, "001", one_line(), title="Steel", status="approved"
    )
    return order.id


def _new_vendor(h: SlackHarness) -> int:
    vendor = h.world.procore.add_vendor(PROCORE_COMPANY_ID, NEW_VENDOR, origin_code="V-900")
    return vendor.id


def _new_project(h: SlackHarness) -> int:
    name, number = NEW_PROJECT
    project = h.world.procore.add_project(PROCORE_COMPANY_ID, name, project_number=number)
    seed_reference_data(h.world.procore, PROCORE_COMPANY_ID, project.id)
    return project.id


async def _waiting(h: SlackHarness) -> Message:
    await h.deliver()
    await h.drain()
    message = h.only_message()
    assert "Needs attention" in message.text
    assert violations(message.blocks, text=message.text) == []  # Create buttons included
    return message


def _named(h: SlackHarness, entity: str, name: str) -> list[dict[str, Any]]:
    return [r for r in h.qbo_rows(entity) if r.get("DisplayName") == name]


async def _link(h: SlackHarness, kind: str, source_id: int) -> EntityLink | None:
    async with h.svc.sessions() as session:
        return (
            await session.execute(
                select(EntityLink).where(
                    col(EntityLink.source_kind) == kind,
                    col(EntityLink.source_id) == str(source_id),
                )
            )
        ).scalar_one_or_none()


def _state(block_id: str, action_id: str, option: dict[str, Any]) -> dict[str, Any]:
    return {block_id: {action_id: {"type": "external_select", "selected_option": option}}}


async def _options(h: SlackHarness, message: Message, action_id: str, query: str = "") -> list[Any]:
    block_id = h.group_blocks(message)[0]
    response = await h.driver.options(CHANNEL, message.ts, block_id, action_id, query)
    assert response.status_code == 200
    return [o for g in response.json().get("option_groups", []) for o in g["options"]]


async def test_create_vendor_from_slack_links_it_and_the_change_order_posts(
    slack: SlackHarness,
) -> None:
    h = slack
    vendor_id = _new_vendor(h)
    _order(h, project_id=h.world.project_ids[0], vendor_id=vendor_id)
    message = await _waiting(h)
    button = h.button(message, ids.CREATE_VENDOR)
    assert NEW_VENDOR in button["confirm"]["text"]["text"]  # the dialog names what is created

    await h.click(message, ids.CREATE_VENDOR, user=VIEWER)
    await h.drain()
    assert _named(h, "Vendor", NEW_VENDOR) == []
    assert await _link(h, "vendor", vendor_id) is None
    assert "Only approvers" in h.slack.ephemerals(VIEWER)[0].text

    await h.click(message, ids.CREATE_VENDOR)
    await h.click(message, ids.CREATE_VENDOR)  # a double click: one effect
    await h.drain()
    assert len(_named(h, "Vendor", NEW_VENDOR)) == 1
    link = await _link(h, "vendor", vendor_id)
    assert link is not None and link.author == APPROVER and link.target_name == NEW_VENDOR
    async with h.svc.sessions() as session:
        audit = (
            (await session.execute(select(AuditEntry).where(col(AuditEntry.action) == "link")))
            .scalars()
            .all()
        )
    assert [a.actor for a in audit if a.subject.endswith(f":vendor:{vendor_id}")] == [APPROVER]
    [order] = h.qbo_rows("PurchaseOrder")
    assert order["VendorRef"]["value"] == _named(h, "Vendor", NEW_VENDOR)[0]["Id"]
    edited = h.slack.find(CHANNEL, message.ts)
    assert edited is not None and "Posted as PurchaseOrder" in edited.text
    assert len(h.messages()) == 1
    assert any("Already handled" in e.text for e in h.slack.ephemerals(APPROVER))


async def test_create_job_under_a_chosen_customer(slack: SlackHarness) -> None:
    h = slack
    project_id = _new_project(h)
    _order(h, project_id=project_id, vendor_id=h.world.vendor_ids[0])
    message = await _waiting(h)
    assert JOB in h.button(message, ids.CREATE_JOB)["confirm"]["text"]["text"]
    block_id = h.group_blocks(message)[0]

    await h.click(message, ids.CREATE_JOB)  # no parent picked yet: told, nothing taken
    await h.drain()
    assert "Pick the parent customer" in h.slack.ephemerals(APPROVER)[-1].text
    parents = await _options(h, message, ids.PICK_PARENT)
    assert [p["text"]["text"] for p in parents] == ["Acme Builders"]  # top-level only

    values = _state(block_id, ids.PICK_PARENT, parents[0])
    await h.click(message, ids.CREATE_JOB, values=values)
    await h.drain()
    [job] = _named(h, "Customer", JOB)
    assert job["FullyQualifiedName"] == f"Acme Builders:{JOB}" and job["Job"] is True
    link = await _link(h, "project", project_id)
    assert link is not None and link.author == APPROVER
    assert link.target_name == f"Acme Builders:{JOB}"
    [order] = h.qbo_rows("PurchaseOrder")
    assert {line["ItemBasedExpenseLineDetail" if "ItemBasedExpenseLineDetail" in line else
            "AccountBasedExpenseLineDetail"]["CustomerRef"]["value"]
            for line in order["Line"]} == {job["Id"]}  # fmt: skip
    edited = h.slack.find(CHANNEL, message.ts)
    assert edited is not None and "Posted as PurchaseOrder" in edited.text


async def test_a_name_held_by_another_party_is_told_and_the_message_reopens(
    slack: SlackHarness,
) -> None:
    h = slack
    h.world.qbo.add_customer(QBO_REALM, NEW_VENDOR)  # 6240: one namespace for people
    vendor_id = _new_vendor(h)
    _order(h, project_id=h.world.project_ids[0], vendor_id=vendor_id)
    message = await _waiting(h)
    await h.click(message, ids.CREATE_VENDOR)
    await h.drain()
    assert _named(h, "Vendor", NEW_VENDOR) == []
    assert await _link(h, "vendor", vendor_id) is None
    assert h.qbo_rows("PurchaseOrder") == []
    told = " ".join(r.text for r in h.slack.replies(CHANNEL, message.ts))
    assert "already has the customer" in told and "nothing was created" in told
    async with h.svc.sessions() as session:
        msg = (await session.execute(select(SlackMessage))).scalar_one()
    assert msg.state == "open"  # another try (pick the existing one) is possible
    reopened = h.slack.find(CHANNEL, message.ts)
    assert reopened is not None and "Needs attention" in reopened.text


async def test_the_same_vendor_already_in_quickbooks_is_linked_not_duplicated(
    slack: SlackHarness,
) -> None:
    h = slack
    existing = h.world.qbo.add_vendor(QBO_REALM, NEW_VENDOR)
    vendor_id = _new_vendor(h)
    _order(h, project_id=h.world.project_ids[0], vendor_id=vendor_id)
    message = await _waiting(h)
    await h.click(message, ids.CREATE_VENDOR)
    await h.drain()
    assert [v["Id"] for v in _named(h, "Vendor", NEW_VENDOR)] == [existing]
    link = await _link(h, "vendor", vendor_id)
    assert link is not None and link.target_id == existing
    assert len(h.qbo_rows("PurchaseOrder")) == 1


async def test_pick_an_existing_vendor(slack: SlackHarness) -> None:
    h = slack
    vendor_id = _new_vendor(h)
    _order(h, project_id=h.world.project_ids[0], vendor_id=vendor_id)
    message = await _waiting(h)
    [option] = [o for o in await _options(h, message, ids.PICK_VENDOR, "Delta")]
    values = _state(h.group_blocks(message)[0], ids.PICK_VENDOR, option)
    await h.click(message, ids.APPLY, values=values)
    await h.drain()
    link = await _link(h, "vendor", vendor_id)
    assert link is not None and link.author == APPROVER and link.target_name == "Delta Drywall LLC"
    [order] = h.qbo_rows("PurchaseOrder")
    assert order["VendorRef"]["value"] == link.target_id
    assert _named(h, "Vendor", NEW_VENDOR) == []
    edited = h.slack.find(CHANNEL, message.ts)
    assert edited is not None and "Posted as PurchaseOrder" in edited.text


async def test_pick_an_existing_customer_job(slack: SlackHarness) -> None:
    h = slack
    project_id = _new_project(h)
    _order(h, project_id=project_id, vendor_id=h.world.vendor_ids[0])
    message = await _waiting(h)
    options = await _options(h, message, ids.PICK_CUSTOMER, "Riverside")
    [option] = [o for o in options if o["text"]["text"].endswith("Riverside Clinic")]
    values = _state(h.group_blocks(message)[0], ids.PICK_CUSTOMER, option)
    await h.click(message, ids.APPLY, values=values)
    await h.drain()
    link = await _link(h, "project", project_id)
    assert link is not None and link.author == APPROVER
    assert link.target_name == "Acme Builders:Riverside Clinic"
    assert len(h.qbo_rows("PurchaseOrder")) == 1
    edited = h.slack.find(CHANNEL, message.ts)
    assert edited is not None and "Posted as PurchaseOrder" in edited.text
