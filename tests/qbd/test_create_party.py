"""A vendor / job asked for in Slack is added through a Web Connector session and linked."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from db.models import AuditEntry, EntityLink, WorkItem
from sandbox.demo.company import PROCORE_COMPANY_ID
from sandbox.procore.demo import seed_reference_data
from sync.engine import states
from sync.engine.parties import PartyPlan, work_key
from sync.engine.queue import enqueue
from tests.e2e.scenario import one_line
from tests.qbd.conftest import QbdHarness

USER = "U0ALICE"
VENDOR = "Summit Steel Erectors"


async def _waiting_order(qbd: QbdHarness, *, project_id: int, vendor_id: int) -> int:
    commitment = qbd.world.procore.add_commitment(project_id, vendor_id, number="SC-300")
    order = qbd.world.procore.add_commitment_change_order(
        commitment.id, "001", one_line(), title="Steel", status="approved"
    )
    await qbd.deliver_and_drain()
    assert (await qbd.version_of(order.id)).state == states.NEEDS_ATTENTION
    return order.id


async def _ask(qbd: QbdHarness, order_id: int, **plan: str) -> None:
    """What a confirmed Slack click queues (the Slack side is tested in tests/bot)."""
    version = await qbd.version_of(order_id)
    party = PartyPlan(document_id=version.document_id, source="procore", user=USER, **plan)
    async with qbd.svc.sessions() as session, session.begin():
        await enqueue(
            session, key=work_key(party), kind="slack_party", data=party.data(), now=qbd.clock.now()
        )
    await qbd.deliver_and_drain()


async def _link(qbd: QbdHarness, kind: str, source_id: int) -> EntityLink | None:
    async with qbd.svc.sessions() as session:
        stmt = select(EntityLink).where(
            col(EntityLink.source_kind) == kind, col(EntityLink.source_id) == str(source_id)
        )
        return (await session.execute(stmt)).scalar_one_or_none()


async def test_vendor_add_through_the_web_connector_links_and_the_order_posts(
    qbd: QbdHarness,
) -> None:
    await qbd.poll()  # the lists
    vendor_id = qbd.world.procore.add_vendor(PROCORE_COMPANY_ID, VENDOR).id
    order_id = await _waiting_order(qbd, project_id=qbd.world.project_ids[0], vendor_id=vendor_id)
    await _ask(
        qbd, order_id, source_kind="vendor", source_id=str(vendor_id), kind="vendor", name=VENDOR
    )
    assert await _link(qbd, "vendor", vendor_id) is None  # outcome to follow
    log = await qbd.poll()
    assert any("<VendorAddRq" in r for r in log.requests)
    added = qbd.company.by_name("vendor", VENDOR)
    assert added is not None
    link = await _link(qbd, "vendor", vendor_id)
    assert link is not None and (link.target_id, link.author) == (added.list_id, USER)
    await qbd.deliver_and_drain()  # the follow-up: re-queue what waited on it
    await qbd.poll()  # the purchase order goes out
    assert (await qbd.version_of(order_id)).state == states.POSTED
    async with qbd.svc.sessions() as session:
        audit = (await session.execute(select(AuditEntry).where(
            col(AuditEntry.action) == "link",
            col(AuditEntry.subject) == f"procore:vendor:{vendor_id}",
        ))).scalars().all()  # fmt: skip
    assert [a.actor for a in audit] == [USER]  # linked once, by the person who asked


async def test_customer_add_makes_a_job_under_the_chosen_customer(qbd: QbdHarness) -> None:
    await qbd.poll()
    project = qbd.world.procore.add_project(PROCORE_COMPANY_ID, "Harbor View", project_number="7")
    seed_reference_data(qbd.world.procore, PROCORE_COMPANY_ID, project.id)
    order_id = await _waiting_order(qbd, project_id=project.id, vendor_id=qbd.world.vendor_ids[0])
    parent = qbd.company.id("customer", "Acme Builders")
    await _ask(
        qbd,
        order_id,
        source_kind="project",
        source_id=str(project.id),
        kind="customer",
        name="Harbor View (7)",
        parent_id=parent,
        parent_name="Acme Builders",
    )
    log = await qbd.poll()
    assert any("<CustomerAddRq" in r and "<ParentRef><ListID>" in r for r in log.requests)
    job = qbd.company.by_name("customer", "Acme Builders:Harbor View (7)")
    assert job is not None and job.parent_id == parent
    link = await _link(qbd, "project", project.id)
    assert link is not None and link.target_name == "Acme Builders:Harbor View (7)"
    await qbd.deliver_and_drain()
    await qbd.poll()
    assert (await qbd.version_of(order_id)).state == states.POSTED


async def test_a_name_in_use_by_another_list_needs_a_person(qbd: QbdHarness) -> None:
    await qbd.poll()
    qbd.company.add("customer", VENDOR)  # after the lists were read: only QuickBooks knows
    vendor_id = qbd.world.procore.add_vendor(PROCORE_COMPANY_ID, VENDOR).id
    order_id = await _waiting_order(qbd, project_id=qbd.world.project_ids[0], vendor_id=vendor_id)
    await _ask(
        qbd, order_id, source_kind="vendor", source_id=str(vendor_id), kind="vendor", name=VENDOR
    )
    log = await qbd.poll()
    assert any("<VendorAddRq" in r for r in log.requests)
    await qbd.poll()  # the 3100 lookup finds no vendor of that name
    assert qbd.company.by_name("vendor", VENDOR) is None
    assert await _link(qbd, "vendor", vendor_id) is None
    async with qbd.svc.sessions() as session:
        item = (
            await session.execute(select(WorkItem).where(col(WorkItem.kind) == "slack_party"))
        ).scalar_one()
    assert '"answer": "failed"' in item.data and "already uses the name" in item.data
    await qbd.deliver_and_drain()
    assert (await qbd.version_of(order_id)).state == states.NEEDS_ATTENTION
