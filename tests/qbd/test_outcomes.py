"""Exactly once and QuickBooks' status codes, through complete Web Connector runs."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import DeadLetter
from sandbox.demo.qbd import QBWC_PASSWORD
from sandbox.procore.state import LineSeed
from sandbox.qbd import CompanyFile, execute
from sandbox.qbd.connector import SessionLog
from sandbox.qbd.schema import qbxml_schema
from sync.engine import states
from tests.qbd.conftest import EMITTED, QbdHarness
from tests.qbd.soap import auth, soap


async def test_cut_session_does_not_duplicate_the_purchase_order(posted_world: QbdHarness) -> None:
    qbd = posted_world
    qbd.connector.faults.cut_after = 1  # QuickBooks creates the first PO; the answer is lost
    cut = await qbd.poll()
    assert cut.cut and "PurchaseOrderAddRq" in cut.requests[0]
    assert len(qbd.company.of_kind("PurchaseOrder")) == 1
    co = qbd.world.ten_line_change_order_id
    assert (await qbd.version_of(co)).state == states.POSTING

    qbd.connector.faults.cut_after = None
    log = await qbd.poll()
    # the next session asks before it adds: a query by RefNumber and vendor comes first
    assert "<PurchaseOrderQueryRq" in log.requests[0]
    assert "<RefNumber>SC-001-001</RefNumber>" in log.requests[0]
    assert log.progress[-1] == 100
    matching = [o for o in qbd.company.of_kind("PurchaseOrder") if o.ref_number == "SC-001-001"]
    assert len(matching) == 1
    link = await qbd.link_of(co)
    assert link is not None and link.target_id == matching[0].txn_id
    assert (await qbd.history(co))[-1].cause == "posted (found)"


async def test_cut_before_quickbooks_ran_it_adds_after_looking(posted_world: QbdHarness) -> None:
    qbd = posted_world
    # the request went out but QuickBooks never ran it (fake: remove what it created)
    qbd.connector.faults.cut_after = 1
    await qbd.poll()
    qbd.company.txns.clear()
    qbd.connector.faults.cut_after = None
    log = await qbd.poll()
    assert "<PurchaseOrderQueryRq" in log.requests[0]
    assert "<PurchaseOrderAddRq" in log.requests[1]
    co = qbd.world.ten_line_change_order_id
    assert (await qbd.version_of(co)).state == states.POSTED
    assert (
        len([o for o in qbd.company.of_kind("PurchaseOrder") if o.ref_number == "SC-001-001"]) == 1
    )


async def test_stale_edit_sequence_is_read_again_and_the_update_succeeds(
    posted_world: QbdHarness,
) -> None:
    qbd = posted_world
    await qbd.poll()
    co = qbd.world.change_order_ids[1]  # SC-001-002, one line
    link = await qbd.link_of(co)
    assert link is not None
    qbd.company.faults.touch.add(link.target_id)  # someone edits it in QuickBooks meanwhile
    qbd.world.procore.update_change_order(
        co, lines=[LineSeed("Add 8 receptacles", "1680.00", "16-100", "S")]
    )
    await qbd.deliver_and_drain()
    assert (await qbd.version_of(co)).state == states.POSTING
    log = await qbd.poll()
    kinds = [r for r in log.requests if "PurchaseOrder" in r]
    # read with its lines, Mod refused (3200), read again, Mod with the fresh EditSequence:
    # the other user's save changed nothing we own, so it is no conflict
    assert ["<PurchaseOrderQueryRq" in k for k in kinds] == [True, False, True, False]
    assert all("<IncludeLineItems>true</IncludeLineItems>" in k for k in kinds[::2])
    assert f"<TxnID>{link.target_id}</TxnID>" in kinds[2]
    assert all("<PurchaseOrderModRq" in k for k in kinds[1::2])
    order = qbd.company.txns[link.target_id]
    assert order.total == Decimal("1680.00") and len(order.lines) == 1
    assert (await qbd.version_of(co)).state == states.POSTED
    updated = await qbd.link_of(co)
    assert updated is not None and updated.sync_token == order.edit_sequence
    causes = [h.cause for h in await qbd.history(co)]
    assert "edit sequence out of date" in causes and causes[-1] == "posted (updated)"


async def test_name_in_use_needs_a_human(posted_world: QbdHarness) -> None:
    qbd = posted_world
    qbd.company.faults.answers.append(
        (3100, 'The name "SC-001-001" of the list element is already in use.')
    )
    await qbd.poll()
    co = qbd.world.ten_line_change_order_id
    version = await qbd.version_of(co)
    assert version.state == states.NEEDS_ATTENTION
    [reason] = json.loads(version.reasons)
    assert reason["kind"] == "target_rejected"
    assert "already in use" in reason["message"] and reason["data"]["code"] == "3100"
    assert await qbd.link_of(co) is None
    # the rest of the queue went on; the attention item goes to Slack like QBO's (notify item)
    assert len(qbd.company.of_kind("PurchaseOrder")) == 11
    async with qbd.svc.sessions() as session:
        from sqlalchemy import select
        from sqlmodel import col

        from db.models import WorkItem

        notify = (
            await session.execute(
                select(WorkItem).where(col(WorkItem.key) == f"notify:{version.document_id}")
            )
        ).scalar_one()
        assert json.loads(notify.data)["state"] == states.NEEDS_ATTENTION


async def test_invalid_reference_needs_a_human(posted_world: QbdHarness) -> None:
    qbd = posted_world
    vendor = qbd.company.by_name("vendor", "Bright Spark Electric")
    assert vendor is not None
    vendor.active = False  # made inactive in QuickBooks after costbridge read the list
    await qbd.poll()
    version = await qbd.version_of(qbd.world.ten_line_change_order_id)
    assert version.state == states.NEEDS_ATTENTION
    assert "does not know" in json.loads(version.reasons)[0]["message"]


def _for(log: SessionLog, ref_number: str) -> list[tuple[str, str]]:
    """(request, answer) pairs of the session that name this document number."""
    pairs = zip(log.requests, log.answers, strict=True)
    return [(r, a) for r, a in pairs if f"<RefNumber>{ref_number}</RefNumber>" in r]


async def test_record_in_use_waits_for_a_later_session_then_posts(
    posted_world: QbdHarness,
) -> None:
    qbd = posted_world
    co = qbd.world.ten_line_change_order_id
    for run in range(3):  # someone keeps the record open in QuickBooks for a while
        qbd.company.faults.in_use = 1  # the next write answers 3180
        log = await qbd.poll()
        [(request, answer)] = _for(log, "SC-001-001")  # sent once per session, never twice
        assert "<PurchaseOrderAddRq" in request and 'statusCode="3180"' in answer
        assert log.progress[-1] == 100
        if run == 0:
            assert len(qbd.company.of_kind("PurchaseOrder")) == 11  # the others went on
        again = await qbd.poll()  # a later session at the same moment: not yet
        assert again.status == "none" and not _for(again, "SC-001-001")
        assert (await qbd.version_of(co)).state == states.POSTING
        qbd.clock.advance(15 * 60)  # the next scheduled run
    log = await qbd.poll()
    [(request, answer)] = _for(log, "SC-001-001")
    assert 'statusCode="0"' in answer
    version = await qbd.version_of(co)
    assert version.state == states.POSTED and version.attempts == 0
    assert (
        len([o for o in qbd.company.of_kind("PurchaseOrder") if o.ref_number == "SC-001-001"]) == 1
    )
    causes = [h.cause for h in await qbd.history(co)]
    assert causes.count("target busy, waiting") == 3 and causes[-1] == "posted (created)"
    async with qbd.svc.sessions() as session:
        assert (await session.execute(select(DeadLetter))).scalars().all() == []


async def test_record_in_use_is_not_sent_again_in_the_same_session(
    posted_world: QbdHarness,
) -> None:
    """Even when the backoff has passed, the session that was told 3180 does not retry it."""
    qbd = posted_world
    user = qbd.connector.app.username
    ticket, status = await auth(
        qbd.http, "authenticate", strUserName=user, strPassword=QBWC_PASSWORD
    )
    assert status == ""
    qbd.company.begin_session()
    qbd.company.faults.in_use = 1
    request = await soap(qbd.http, "sendRequestXML", ticket=ticket, qbXMLMajorVers="13")
    assert isinstance(request, str) and "<RefNumber>SC-001-001</RefNumber>" in request
    answer = execute(qbd.company, request)
    await soap(qbd.http, "receiveResponseXML", ticket=ticket, response=answer.response)
    qbd.clock.advance(1800)  # long past the backoff (30 s), still the same session
    sent = []
    while request := await soap(qbd.http, "sendRequestXML", ticket=ticket, qbXMLMajorVers="13"):
        assert isinstance(request, str)
        sent.append(request)
        answer = execute(qbd.company, request)
        await soap(qbd.http, "receiveResponseXML", ticket=ticket, response=answer.response)
    assert len(sent) == 13 and not any("<RefNumber>SC-001-001</RefNumber>" in r for r in sent)
    EMITTED.extend(sent)
    log = await qbd.poll()  # a later session: now it goes
    [(_, answer_text)] = _for(log, "SC-001-001")
    assert 'statusCode="0"' in answer_text
    assert (await qbd.version_of(qbd.world.ten_line_change_order_id)).state == states.POSTED


async def test_record_in_use_past_the_budget_needs_a_person_not_a_dead_letter(
    posted_world: QbdHarness,
) -> None:
    qbd = posted_world
    co = qbd.world.ten_line_change_order_id
    budget = qbd.svc.settings.qbd_max_attempts  # re-sends after a 3180
    for _ in range(budget + 1):
        qbd.company.faults.in_use = 1
        await qbd.poll()
        qbd.clock.advance(15 * 60)
    version = await qbd.version_of(co)
    assert version.state == states.NEEDS_ATTENTION
    [reason] = json.loads(version.reasons)
    assert reason["kind"] == "target_rejected" and reason["data"]["code"] == "3180"
    assert f"{budget + 1} times" in reason["message"]
    assert "another user is changing the same record" in reason["message"]
    assert "save and close it" in reason["message"]
    assert not [o for o in qbd.company.of_kind("PurchaseOrder") if o.ref_number == "SC-001-001"]
    async with qbd.svc.sessions() as session:
        assert (await session.execute(select(DeadLetter))).scalars().all() == []
    assert (await qbd.poll()).status == "none"  # not sent again by itself


async def test_a_cut_mod_reads_the_edit_sequence_before_it_is_sent_again(
    posted_world: QbdHarness,
) -> None:
    qbd = posted_world
    await qbd.poll()
    co = qbd.world.change_order_ids[1]  # SC-001-002, one line
    link = await qbd.link_of(co)
    assert link is not None
    qbd.world.procore.update_change_order(
        co, lines=[LineSeed("Add 8 receptacles", "1680.00", "16-100", "S")]
    )
    await qbd.deliver_and_drain()
    qbd.connector.faults.cut_after = 2  # the read, then the Mod runs and its answer is lost
    cut = await qbd.poll()
    assert cut.cut and "<PurchaseOrderModRq" in cut.requests[1]
    order = qbd.company.txns[link.target_id]
    landed = order.edit_sequence  # the Mod landed: QuickBooks moved the EditSequence on
    assert order.total == Decimal("1680.00") and landed != link.sync_token

    qbd.connector.faults.cut_after = None
    log = await qbd.poll()
    read, mod = log.requests[0], log.requests[1]
    assert "<PurchaseOrderQueryRq" in read and f"<TxnID>{link.target_id}</TxnID>" in read
    assert "<PurchaseOrderModRq" in mod
    assert f"<EditSequence>{landed}</EditSequence>" in mod  # read again, not the stale one
    answers = cut.answers + log.answers
    assert answers and not any('statusCode="3200"' in a for a in answers)
    assert len(qbd.company.of_kind("PurchaseOrder")) == 12 and order.total == Decimal("1680.00")
    assert (await qbd.version_of(co)).state == states.POSTED
    updated = await qbd.link_of(co)
    assert updated is not None and updated.sync_token == order.edit_sequence
    causes = [h.cause for h in await qbd.history(co)]
    assert "edit sequence out of date" not in causes and causes[-1] == "posted (updated)"


async def test_stale_iterator_restarts_the_list(qbd: QbdHarness) -> None:
    qbd.svc.settings.__dict__["qbd_page_size"] = 2  # small pages: several Continue calls
    qbd.company.faults.stale_iterator = True
    log = await qbd.poll()
    assert log.progress[-1] == 100
    continues = [r for r in log.requests if 'iterator="Continue"' in r]
    starts = [r for r in log.requests if "<VendorQueryRq" in r and 'iterator="Start"' in r]
    assert continues and len(starts) == 2  # 3391 on the first Continue: started over
    async with qbd.svc.sessions() as session:
        from sqlalchemy import func, select
        from sqlmodel import col

        from db.models_qbd import QbdListRecord

        count = (
            await session.execute(
                select(func.count())
                .select_from(QbdListRecord)
                .where(col(QbdListRecord.kind) == "vendor")
            )
        ).scalar_one()
    assert count == 5


@pytest.mark.skipif(
    qbxml_schema() is None, reason="qbXML schemas not available: no parse error to provoke"
)
async def test_parse_error_dead_letters_that_request_only(
    posted_world: QbdHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    qbd = posted_world
    from sandbox.qbd import connector, executor

    def broken(company: CompanyFile, request: str) -> executor.Outcome:
        if "SC-001-001" in request and "AddRq" in request:
            return executor.execute(company, request.replace("<RefNumber>", "<Bogus/><RefNumber>"))
        return executor.execute(company, request)

    monkeypatch.setattr(connector, "execute", broken)
    log = await qbd.poll()
    qbd.company.rejected.clear()  # it was broken on purpose
    assert log.progress[-1] == 100
    version = await qbd.version_of(qbd.world.ten_line_change_order_id)
    assert version.state == states.DEAD
    assert "could not parse" in version.last_error
    assert len(qbd.company.of_kind("PurchaseOrder")) == 11
