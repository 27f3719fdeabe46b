"""The eight Web Connector operations, each one database transaction.

The order of a session (serverVersion, clientVersion, authenticate, sendRequestXML /
receiveResponseXML while work remains, closeConnection; connectionError and getLastError on
trouble) is the Web Connector's; nothing here assumes closeConnection will come: sessions
expire, and the next authenticate supersedes an older one.
"""

from __future__ import annotations

from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version

import structlog
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from db.models import WorkItem
from sync.clock import Clock
from sync.engine import queue
from sync.errors import FatalError
from sync.settings import Settings
from sync.targets.qbd import outbox, refresh, sessions
from sync.targets.qbd.company import by_username, ensure_configured
from sync.targets.qbd.exchange import (
    PARSE_ERROR,
    next_request,
    take_hresult,
    take_response,
)
from sync.targets.qbd.passwords import burn_time, verify_password
from sync.targets.qbd.settle import Context

log = structlog.get_logger("costbridge.qbwc")
NVU = "nvu"
NONE = "none"
NOOP = "NoOp"
MAX_NOOPS = 3  # "wait 5 s and ask again" at most this often per session
ERROR_RESULT = -101
MIN_QBXML_MAJOR = 13


def _version() -> str:
    try:
        return version("costbridge")
    except PackageNotFoundError:
        return "dev"


class Qbwc:
    """What ``POST /qbwc`` does, operation by operation."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.settings = settings

    def _ctx(self) -> Context:
        return Context(settings=self.settings, now=self.clock.now())

    async def server_version(self) -> str:
        return f"costbridge {_version()}"

    async def client_version(self, client: str) -> str:
        log.info("qbwc.client_version", version=client)
        return ""  # any Web Connector that speaks this protocol will do

    async def authenticate(self, username: str, password: str) -> list[str]:
        """[ticket, "" | company file path | "none" | "nvu", (postpone), (min interval)].

        A wrong user and a wrong password give the same answer, in the same time.
        """
        ctx = self._ctx()
        settings = self.settings
        async with self.sessions() as session, session.begin():
            await ensure_configured(session, settings, now=ctx.now)
            company = await by_username(session, username)
            if company is None:
                burn_time(password)
                ok = False
            else:
                ok = bool(password) and verify_password(password, company.password_hash)
            if company is None or not ok:
                log.warning("qbwc.auth_refused")  # never which of the two was wrong
                return ["", NVU]
            assert company.id is not None
            company.last_poll_at = ctx.now
            session.add(company)
            for row in await outbox.sent_rows(session, company.id):
                outbox.unanswered(row, ctx.now)  # the session that sent it is over
                session.add(row)
            await outbox.restart_reads(session, company.id, now=ctx.now)  # iterators died too
            max_age = timedelta(minutes=settings.qbd_list_refresh_minutes)
            await refresh.queue_due(session, company.id, now=ctx.now, max_age=max_age)
            pending = await outbox.sendable_count(session, company.id, now=ctx.now)
            state = sessions.OPEN if pending else sessions.NONE
            qs = await sessions.start(
                session, company, now=ctx.now, minutes=settings.qbd_ticket_minutes, state=state
            )
            status = (company.company_path or "") if pending else NONE
            log.info("qbwc.authenticated", company=company.name, pending=pending)
        answer = [qs.ticket, status]
        if settings.qbd_postpone_seconds or settings.qbd_min_run_every_seconds:
            answer += [str(settings.qbd_postpone_seconds), str(settings.qbd_min_run_every_seconds)]
        return answer

    async def send_request_xml(
        self, ticket: str, hcp: str, company_file: str, major: int, minor: int
    ) -> str:
        ctx = self._ctx()
        async with self.sessions() as session, session.begin():
            found = await sessions.find_open(session, ticket, now=ctx.now)
            if found is None:
                await self._remember(session, ticket, "The session is unknown or has expired.")
                return ""
            qs, company = found
            if hcp:
                qs.host_info = _host_summary(hcp)[:4000]
                qs.company_reported = company_file[:512]
            if major and major < MIN_QBXML_MAJOR:
                qs.last_error = (
                    f"This QuickBooks speaks qbXML {major}.{minor}; costbridge needs 13.0 "
                    "(QuickBooks 2013 or later)."
                )
                return ""
            qs.last_error = ""
            xml = await next_request(session, company, qs, ctx)
            return xml or ""

    async def receive_response_xml(
        self, ticket: str, response: str, hresult: str, message: str
    ) -> int:
        """0-99 while work remains, 100 when the queue is empty, negative on error."""
        ctx = self._ctx()
        async with self.sessions() as session, session.begin():
            found = await sessions.find_open(session, ticket, now=ctx.now)
            if found is None:
                await self._remember(session, ticket, "The session is unknown or has expired.")
                return ERROR_RESULT
            qs, company = found
            assert company.id is not None
            if hresult.strip() or not response.strip():
                text = message or "QuickBooks returned no response"
                await take_hresult(session, company, qs, hresult.strip(), text, ctx)
                company.last_error = f"QuickBooks could not run a request ({hresult}): {text}"
                if hresult.strip().lower() != PARSE_ERROR:
                    # QuickBooks itself is unwell (busy, closed, a dialog open): end the
                    # session; the request is asked about again on the next run.
                    qs.last_error = company.last_error
                    return ERROR_RESULT
                # A request QuickBooks could not parse is ours to fix: it was dead-lettered,
                # the rest of the queue goes on.
            else:
                try:
                    await take_response(session, company, qs, response, ctx)
                except FatalError as exc:
                    for row in await outbox.sent_rows(session, company.id, ticket=ticket):
                        outbox.unanswered(row, ctx.now)
                    qs.last_error = str(exc)
                    return ERROR_RESULT
            pending = await outbox.sendable_count(session, company.id, now=ctx.now, ticket=ticket)
        if not pending:
            return 100
        return min(99, qs.done * 100 // (qs.done + pending))

    async def connection_error(self, ticket: str, hresult: str, message: str) -> str:
        """QuickBooks or the company file could not be opened: stop, say why, keep the work."""
        ctx = self._ctx()
        text = f"The Web Connector could not open QuickBooks ({hresult}): {message}"
        async with self.sessions() as session, session.begin():
            found = await sessions.find_open(session, ticket, now=ctx.now)
            if found is not None:
                qs, company = found
                qs.last_error = text
                qs.state = sessions.CLOSED
                company.last_error = text
        log.warning("qbwc.connection_error", hresult=hresult, message=message)
        return "done"

    async def get_last_error(self, ticket: str) -> str:
        """What went wrong, or NoOp (wait and ask again) while the engine prepares work."""
        async with self.sessions() as session, session.begin():
            qs = await sessions.find_any(session, ticket)
            if qs is None:
                return "The session is unknown or has expired; the next run starts a new one."
            if qs.last_error:
                return qs.last_error
            if qs.state == sessions.OPEN and qs.noops < MAX_NOOPS and await _preparing(session):
                qs.noops += 1
                return NOOP
            return "Nothing to send right now."

    async def close_connection(self, ticket: str) -> str:
        async with self.sessions() as session, session.begin():
            qs = await sessions.find_any(session, ticket)
            if qs is None:
                return "OK"
            if qs.state == sessions.OPEN:
                qs.state = sessions.CLOSED
            done = qs.done
        return f"OK: {done} request(s) processed by costbridge"

    async def _remember(self, session: AsyncSession, ticket: str, text: str) -> None:
        qs = await sessions.find_any(session, ticket)
        if qs is not None:
            qs.last_error = text


async def _preparing(session: AsyncSession) -> bool:
    """Documents are being fetched or mapped right now (their writes will follow shortly)."""
    stmt = (
        select(func.count())
        .select_from(WorkItem)
        .where(
            col(WorkItem.kind).in_(("sync", "event")),
            col(WorkItem.state).in_((queue.QUEUED, queue.RUNNING)),
        )
    )
    return bool((await session.execute(stmt)).scalar_one())


def _host_summary(hcp: str) -> str:
    """Product and supported qbXML versions from the first call's HostQueryRs."""
    try:
        root = etree.fromstring(hcp.strip().encode(), etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError:
        return "unreadable host data"
    product = root.findtext(".//HostRet/ProductName") or "?"
    versions = ",".join(v.text or "" for v in root.iterfind(".//HostRet/SupportedQBXMLVersion"))
    return f"{product}; qbXML {versions}"
