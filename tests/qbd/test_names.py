"""CustomerAdd (a job under its customer) and VendorAdd through the Web Connector."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from db.models import EntityLink
from sync.targets.qbd import outbox
from sync.targets.qbd.company import by_name
from tests.qbd.conftest import QbdHarness


async def _enqueue(qbd: QbdHarness, kind: str, name: str, parent: str = "", **link: str) -> None:
    async with qbd.svc.sessions() as session, session.begin():
        company = await by_name(session, "demo")
        assert company is not None and company.id is not None
        await outbox.enqueue_name(
            session,
            company.id,
            kind=kind,
            name=name,
            parent_id=parent,
            link=link or None,
            now=qbd.clock.now(),
        )


async def test_new_job_is_added_under_its_customer_and_linked(qbd: QbdHarness) -> None:
    await qbd.poll()
    parent = qbd.company.id("customer", "Acme Builders")
    await _enqueue(
        qbd,
        "customer",
        "Harbor View Condos",
        parent,
        source="procore",
        source_kind="project",
        source_id="777",
    )
    await _enqueue(qbd, "vendor", "Northside Glazing")
    log = await qbd.poll()
    assert any("<CustomerAddRq" in r and "<ParentRef><ListID>" in r for r in log.requests)
    assert any("<VendorAddRq" in r for r in log.requests)
    job = qbd.company.by_name("customer", "Acme Builders:Harbor View Condos")
    assert job is not None and job.parent_id == parent
    assert qbd.company.by_name("vendor", "Northside Glazing") is not None
    async with qbd.svc.sessions() as session:
        link = (
            await session.execute(select(EntityLink).where(col(EntityLink.source_id) == "777"))
        ).scalar_one()
    assert (link.target, link.target_id) == ("qbd:demo", job.list_id)
    assert link.target_name == "Acme Builders:Harbor View Condos"


async def test_name_already_in_quickbooks_is_reused(qbd: QbdHarness) -> None:
    await qbd.poll()
    parent = qbd.company.id("customer", "Acme Builders")
    existing = qbd.company.id("customer", "Acme Builders:Riverside Clinic")
    await _enqueue(
        qbd,
        "customer",
        "Riverside Clinic",
        parent,
        source="procore",
        source_kind="project",
        source_id="888",
    )
    log = await qbd.poll()
    assert "<CustomerAddRq" in log.requests[0]  # answered 3100: the name is in use
    assert (
        "<CustomerQueryRq" in log.requests[1]
        and "Acme Builders:Riverside Clinic" in log.requests[1]
    )
    async with qbd.svc.sessions() as session:
        link = (
            await session.execute(select(EntityLink).where(col(EntityLink.source_id) == "888"))
        ).scalar_one()
    assert link.target_id == existing
    assert (
        len([r for r in qbd.company.lists["customer"].values() if r.name == "Riverside Clinic"])
        == 1
    )
