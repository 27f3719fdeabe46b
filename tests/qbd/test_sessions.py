"""authenticate's answers, tickets, connectionError, and the Web Connector's health."""

from __future__ import annotations

from datetime import timedelta

from sandbox.qbd import WebConnector
from sync.targets.qbd.company import add_company_file
from sync.targets.qbd.health import company_health
from tests.qbd.conftest import QbdHarness
from tests.qbd.soap import auth, soap


async def test_wrong_password_is_nvu_and_nothing_is_dequeued(posted_world: QbdHarness) -> None:
    qbd = posted_world
    before = [(r.id, r.state, r.updated_at) for r in await qbd.requests()]
    intruder = WebConnector(qbd.connector.app, "not-the-password", qbd.company, qbd.http)
    log = await intruder.run()
    assert log.auth == ["", "nvu"]
    assert log.calls == ["serverVersion", "clientVersion", "authenticate"]
    assert [(r.id, r.state, r.updated_at) for r in await qbd.requests()] == before
    assert not log.requests


async def test_unknown_user_gets_the_same_answer(qbd: QbdHarness) -> None:
    wrong_user = await soap(qbd.http, "authenticate", strUserName="nobody", strPassword="x")
    wrong_password = await soap(
        qbd.http, "authenticate", strUserName=qbd.connector.app.username, strPassword="x"
    )
    assert wrong_user == wrong_password == ["", "nvu"]


async def test_nothing_to_do_is_none(posted_world: QbdHarness) -> None:
    qbd = posted_world
    await qbd.poll()
    log = await qbd.poll()
    assert log.status == "none" and len(log.auth[0]) >= 32  # a fresh ticket all the same
    assert "sendRequestXML" not in log.calls


async def test_a_ticket_works_only_for_its_own_company_file(posted_world: QbdHarness) -> None:
    qbd = posted_world
    async with qbd.svc.sessions() as session, session.begin():
        await add_company_file(
            session,
            name="other",
            username="other-office",
            password="other-secret",
            owner_id=qbd.svc.settings.qbd_owner_id,
            company_path="",
            now=qbd.clock.now(),
        )
    ticket, status = await auth(
        qbd.http, "authenticate", strUserName="other-office", strPassword="other-secret"
    )
    assert status == ""  # its own lists must be read first
    xml = await soap(qbd.http, "sendRequestXML", ticket=ticket, qbXMLMajorVers="13")
    assert "<AccountQueryRq" in xml
    # the other company file's purchase orders are never handed out on this ticket
    for _ in range(10):
        await soap(
            qbd.http,
            "receiveResponseXML",
            ticket=ticket,
            response='<?xml version="1.0" ?><QBXML><QBXMLMsgsRs/></QBXML>',
        )
        xml = await soap(qbd.http, "sendRequestXML", ticket=ticket, qbXMLMajorVers="13")
        assert "PurchaseOrder" not in xml


async def test_expired_ticket_is_refused(posted_world: QbdHarness) -> None:
    qbd = posted_world
    ticket, _ = await auth(
        qbd.http, "authenticate", strUserName="costbridge-demo", strPassword="demo-qbwc-password"
    )
    qbd.clock.advance(timedelta(hours=2).total_seconds())
    assert await soap(qbd.http, "sendRequestXML", ticket=ticket, qbXMLMajorVers="13") == ""
    assert "expired" in await soap(qbd.http, "getLastError", ticket=ticket)
    assert await soap(qbd.http, "receiveResponseXML", ticket=ticket, response="x") == "-101"


async def test_connection_error_keeps_the_work_and_says_why(posted_world: QbdHarness) -> None:
    qbd = posted_world
    qbd.connector.faults.connection_error = "0x80040408"
    log = await qbd.poll()
    assert log.calls[-1] == "connectionError" and log.connection_error_answer == "done"
    assert not log.requests and not qbd.company.of_kind("PurchaseOrder")
    async with qbd.svc.sessions() as session:
        [health] = await company_health(session, qbd.svc.settings, now=qbd.clock.now())
    assert "0x80040408" in health.last_error and health.pending == 14
    qbd.connector.faults.connection_error = ""
    assert (await qbd.poll()).progress[-1] == 100
    assert len(qbd.company.of_kind("PurchaseOrder")) == 12


async def test_silent_web_connector_is_reported(qbd: QbdHarness) -> None:
    await qbd.poll()
    async with qbd.svc.sessions() as session:
        [fresh] = await company_health(session, qbd.svc.settings, now=qbd.clock.now())
        assert fresh.last_poll_at == qbd.clock.now() and not fresh.stale
        later = qbd.clock.now() + timedelta(minutes=3 * 15 + 1)
        [silent] = await company_health(session, qbd.svc.settings, now=later)
    assert silent.stale


async def test_postpone_and_minimum_interval_come_from_settings(qbd: QbdHarness) -> None:
    qbd.svc.settings.__dict__.update(qbd_postpone_seconds=60, qbd_min_run_every_seconds=300)
    answer = await soap(
        qbd.http, "authenticate", strUserName="costbridge-demo", strPassword="demo-qbwc-password"
    )
    assert answer[1:] == ["", "60", "300"]


async def test_noop_while_the_engine_prepares_work(qbd: QbdHarness) -> None:
    from sandbox.demo.company import add_change_orders

    await qbd.poll()
    add_change_orders(qbd.world)
    await qbd.world.procore.dispatch_pending()  # stored and queued; not yet mapped
    ticket, status = await auth(
        qbd.http, "authenticate", strUserName="costbridge-demo", strPassword="demo-qbwc-password"
    )
    assert status == "none"  # nothing queued for QuickBooks yet
    qbd.svc.settings.__dict__["qbd_list_refresh_minutes"] = 0
    qbd.clock.advance(61)
    ticket, status = await auth(
        qbd.http, "authenticate", strUserName="costbridge-demo", strPassword="demo-qbwc-password"
    )
    assert status == ""
    from sandbox.qbd import execute

    for _ in range(10):  # QuickBooks answers the list reads
        xml = await soap(qbd.http, "sendRequestXML", ticket=ticket, qbXMLMajorVers="13")
        if not xml:
            break
        assert isinstance(xml, str)
        answer = execute(qbd.company, xml)
        await soap(qbd.http, "receiveResponseXML", ticket=ticket, response=answer.response)
    # the queue is empty but the worker is still mapping change orders: wait and ask again
    assert await soap(qbd.http, "sendRequestXML", ticket=ticket, qbXMLMajorVers="13") == ""
    assert await soap(qbd.http, "getLastError", ticket=ticket) == "NoOp"


async def test_status_and_the_stale_alert(qbd: QbdHarness) -> None:
    from structlog.testing import capture_logs

    from sync.engine.operations import status
    from sync.targets.qbd.health import check

    await qbd.poll()
    [fresh] = (await status(qbd.svc)).web_connectors
    assert fresh.name == "demo" and not fresh.stale and fresh.pending == 0
    qbd.clock.advance(46 * 60)  # 3 x 15 minutes without a poll
    [silent] = (await status(qbd.svc)).web_connectors
    assert silent.stale
    with capture_logs() as logs:
        async with qbd.svc.sessions() as session:
            await check(session, qbd.svc.settings, now=qbd.clock.now())
    assert [e["event"] for e in logs] == ["qbwc.stale"]
    assert logs[0]["company"] == "demo" and logs[0]["log_level"] == "error"
