"""Change orders approved before the Web Connector ever polled wait for it, at no cost."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlmodel import col

from db.models import DeadLetter, DocumentVersion, SourceDocumentRow
from mappings.io_csv import import_csv
from mappings.rules import RuleOrigin
from sandbox.demo.company import add_change_orders
from sandbox.demo.qbd import company_references
from sync.engine import states
from sync.engine.worker import run_until_idle
from sync.rules.service import import_rules
from tests.qbd.conftest import QbdHarness

APPROVED = 17  # of the demo's twenty change orders; three are pending or rejected
# The demo rules leave cost type "Other" to a person on purpose; this firm maps it on day one.
OTHER = "cost_type_base,account_id,note\nother,Site Work,the rest of the site work\n"


async def _states(qbd: QbdHarness) -> Counter[str]:
    async with qbd.svc.sessions() as session:
        stmt = select(DocumentVersion).join(
            SourceDocumentRow, col(SourceDocumentRow.current_version_id) == col(DocumentVersion.id)
        )
        return Counter(v.state for v in (await session.execute(stmt)).scalars())


async def _versions(qbd: QbdHarness, state: str) -> list[DocumentVersion]:
    async with qbd.svc.sessions() as session:
        stmt = select(DocumentVersion).where(col(DocumentVersion.state) == state)
        return list((await session.execute(stmt)).scalars())


async def _map_other_lines(qbd: QbdHarness) -> None:
    async with qbd.svc.sessions() as session, session.begin():
        report = await import_rules(
            session,
            import_csv(OTHER).rules,
            settings=qbd.svc.settings,
            target=qbd.svc.target,
            actor="controller",
            origin=RuleOrigin.CSV,
            now=qbd.clock.now(),
            refs=company_references(qbd.company),  # the ids the controller took from the file
        )
    assert not report.errors and report.applied


async def test_seventeen_change_orders_two_hours_before_the_first_poll(qbd: QbdHarness) -> None:
    await _map_other_lines(qbd)
    add_change_orders(qbd.world)
    await qbd.deliver_and_drain()
    assert (await _states(qbd))[states.WAITING] == APPROVED
    for _ in range(8):  # two hours of a worker that keeps running (each waits 15 minutes)
        qbd.clock.advance(15 * 60)
        await run_until_idle(qbd.svc)
    waiting = await _versions(qbd, states.WAITING)
    assert len(waiting) == APPROVED
    assert all(v.attempts == 0 for v in waiting)  # waiting spent no attempt
    assert all("waiting for QuickBooks Desktop to connect" in v.last_error for v in waiting)

    lists = await qbd.poll()  # the first poll: the lists, which wakes what waited
    assert lists.progress[-1] == 100 and not qbd.company.txns
    assert all("QueryRq" in r for r in lists.requests)
    await run_until_idle(qbd.svc)
    assert (await _states(qbd))[states.POSTING] == APPROVED

    documents = await qbd.poll()  # the first session after the lists were read
    assert documents.progress[-1] == 100
    assert len(documents.requests) == APPROVED
    assert len(qbd.company.txns) == APPROVED
    assert await _states(qbd) == {
        states.POSTED: APPROVED,  # every one, in the first session after the lists were read
        states.FETCHED: 20 - APPROVED,  # waiting for approval in Procore
    }
    async with qbd.svc.sessions() as session:
        assert (await session.execute(select(DeadLetter))).scalars().all() == []
    assert (await qbd.poll()).status == "none"
