"""A QuickBooks Web Connector, simulated: reads the .qwc, polls the service in the real call
order, hands each qbXML request to the (fake) company file and posts its answer back."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from sandbox.qbd.company import CompanyFile
from sandbox.qbd.executor import execute
from sandbox.qbd.qwc import QwcApp
from sandbox.qbd.soap_client import INTUIT, call

CLIENT_VERSION = "2.3.0.215"
MAX_CALLS = 1000  # a server that never says 100 must not hang a test
MAX_NOOPS = 10
HOST_RESPONSE = """<?xml version="1.0" ?>
<QBXML><QBXMLMsgsRs>
<HostQueryRs requestID="0" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
<HostRet><ProductName>QuickBooks Enterprise Solutions: Contractor 23.0</ProductName>
<MajorVersion>33</MajorVersion><MinorVersion>0</MinorVersion><Country>US</Country>
{versions}<IsAutomaticLogin>true</IsAutomaticLogin><QBFileMode>SingleUser</QBFileMode></HostRet>
</HostQueryRs>
<CompanyQueryRs requestID="1" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
<CompanyRet><IsSampleCompany>false</IsSampleCompany><CompanyName>{company}</CompanyName>
</CompanyRet></CompanyQueryRs>
<PreferencesQueryRs requestID="2" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
<PreferencesRet><AccountingPreferences><IsUsingClassTracking>true</IsUsingClassTracking>
</AccountingPreferences></PreferencesRet></PreferencesQueryRs>
</QBXMLMsgsRs></QBXML>"""
SUPPORTED = ["1.0", "2.0", "3.0", "4.0", "5.0", "6.0", "7.0", "8.0", "10.0", "11.0", "12.0", "13.0"]


@dataclass
class Faults:
    connection_error: str = ""  # e.g. "0x80040408": QuickBooks cannot be opened
    cut_after: int | None = None  # the link drops after QuickBooks ran this many requests
    # The link drops after this many answers reached the service (before the next request).
    drop_after: int | None = None


@dataclass
class SessionLog:
    calls: list[str] = field(default_factory=list)
    auth: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)  # QuickBooks' answer to each request
    progress: list[int] = field(default_factory=list)
    last_error: str = ""
    closed: str = ""
    connection_error_answer: str = ""
    cut: bool = False

    @property
    def status(self) -> str:
        return self.auth[1] if len(self.auth) > 1 else ""


class WebConnector:
    def __init__(
        self,
        app: QwcApp,
        password: str,
        company: CompanyFile,
        http: httpx.AsyncClient,
        *,
        company_path: str = r"C:\Users\Public\Documents\Intuit\QuickBooks\Acme Builders.QBW",
    ) -> None:
        self.app = app
        self.password = password
        self.company = company
        self.http = http
        self.company_path = company_path
        self.faults = Faults()

    async def _call(self, log: SessionLog, operation: str, *params: tuple[str, str]) -> str:
        log.calls.append(operation)
        result = await call(self.http, self.app.app_url, operation, list(params))
        return result.text or ""

    async def run(self) -> SessionLog:
        """One update session, as the Web Connector runs it when its schedule fires."""
        log = SessionLog()
        await self._call(log, "serverVersion")
        await self._call(log, "clientVersion", ("strVersion", CLIENT_VERSION))
        log.calls.append("authenticate")
        result = await call(
            self.http,
            self.app.app_url,
            "authenticate",
            [("strUserName", self.app.username), ("strPassword", self.password)],
        )
        log.auth = [s.text or "" for s in result.iterfind(f"{{{INTUIT}}}string")]
        if len(log.auth) < 2:
            raise AssertionError("QBWC1012: Authentication failed. Index Out Of Range.")
        ticket, status = log.auth[0], log.auth[1].lower()
        if status in ("nvu", "none", "busy"):
            return log  # nothing more: no closeConnection after these
        if self.faults.connection_error:
            log.connection_error_answer = await self._call(
                log,
                "connectionError",
                ("ticket", ticket),
                ("hresult", self.faults.connection_error),
                ("message", "Could not start QuickBooks."),
            )
            return log
        self.company.begin_session()
        await self._exchange(log, ticket)
        return log

    async def _exchange(self, log: SessionLog, ticket: str) -> None:
        first, noops = True, 0
        for _ in range(MAX_CALLS):
            hcp = HOST_RESPONSE.format(
                versions="".join(
                    f"<SupportedQBXMLVersion>{v}</SupportedQBXMLVersion>" for v in SUPPORTED
                ),
                company=self.company.name,
            )
            request = await self._call(
                log,
                "sendRequestXML",
                ("ticket", ticket),
                ("strHCPResponse", hcp if first else ""),
                ("strCompanyFileName", self.company_path),
                ("qbXMLCountry", "US"),
                ("qbXMLMajorVers", "13"),
                ("qbXMLMinorVers", "0"),
            )
            first = False
            if not request:
                log.last_error = await self._call(log, "getLastError", ("ticket", ticket))
                if log.last_error == "NoOp" and noops < MAX_NOOPS:
                    noops += 1  # the real one sleeps 5 s here
                    continue
                log.closed = await self._call(log, "closeConnection", ("ticket", ticket))
                return
            log.requests.append(request)
            outcome = execute(self.company, request)
            log.answers.append(outcome.response or outcome.hresult)
            if self.faults.cut_after is not None and len(log.requests) >= self.faults.cut_after:
                log.cut = True  # QuickBooks did the work; its answer never reaches the service
                return
            answer = await self._call(
                log,
                "receiveResponseXML",
                ("ticket", ticket),
                ("response", outcome.response),
                ("hresult", outcome.hresult),
                ("message", outcome.message),
            )
            percent = int(answer)  # xs:int: anything else breaks the real Web Connector
            log.progress.append(percent)
            if self.faults.drop_after is not None and len(log.answers) >= self.faults.drop_after:
                log.cut = True  # the service has the answer; the session just ends here
                return
            if percent < 0:
                log.last_error = await self._call(log, "getLastError", ("ticket", ticket))
                log.closed = await self._call(log, "closeConnection", ("ticket", ticket))
                return
            if percent >= 100:
                log.closed = await self._call(log, "closeConnection", ("ticket", ticket))
                return
        raise AssertionError("the service never finished the session")
