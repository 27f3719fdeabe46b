"""The endpoint as any SOAP client sees it: the WSDL, faults, and zeep driving a session."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import requests
from lxml import etree
from zeep import Client
from zeep.transports import Transport

from sandbox.qbd import execute
from sync.targets.qbd.soap import INTUIT, OPERATIONS
from tests.qbd.conftest import EMITTED, QbdHarness

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
EIGHT = {
    "serverVersion",
    "clientVersion",
    "authenticate",
    "sendRequestXML",
    "receiveResponseXML",
    "connectionError",
    "getLastError",
    "closeConnection",
}


async def test_wsdl_describes_exactly_the_eight_operations(qbd: QbdHarness) -> None:
    response = await qbd.http.get("/qbwc?wsdl")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    assert root.get("targetNamespace") == INTUIT
    ops = {o.get("name") for o in root.iterfind(f"{{{WSDL_NS}}}portType/{{{WSDL_NS}}}operation")}
    assert ops == EIGHT == set(OPERATIONS)
    binding = root.find(f"{{{WSDL_NS}}}binding")
    assert binding is not None
    assert binding.find(f"{{{SOAP11}}}binding").get("transport") == (  # type: ignore[union-attr]
        "http://schemas.xmlsoap.org/soap/http"
    )
    for op in binding.iterfind(f"{{{WSDL_NS}}}operation"):
        soap_op = op.find(f"{{{SOAP11}}}operation")
        assert soap_op is not None
        assert soap_op.get("soapAction") == f"{INTUIT}{op.get('name')}"
        assert soap_op.get("style") == "document"
        bodies = op.findall(f".//{{{SOAP11}}}body")
        assert [b.get("use") for b in bodies] == ["literal", "literal"]
    address = root.find(f".//{{{SOAP11}}}address")
    assert address is not None and address.get("location") == "https://costbridge.local/qbwc"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"this is not xml", "not well-formed"),
        (b"<a><b></a>", "not well-formed"),
        (b"<notsoap/>", "not a SOAP envelope"),
        (
            b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
            b'<dropTables xmlns="http://developer.intuit.com/"/></s:Body></s:Envelope>',
            "unknown operation",
        ),
        (
            b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/>'
            b"</s:Envelope>",
            "empty",
        ),
    ],
)
async def test_bad_requests_get_a_soap_fault(qbd: QbdHarness, body: bytes, why: str) -> None:
    response = await qbd.http.post("/qbwc", content=body, headers={"Content-Type": "text/xml"})
    assert response.status_code == 500
    root = etree.fromstring(response.content)  # always XML, never a stack trace
    fault = root.find(".//{http://schemas.xmlsoap.org/soap/envelope/}Fault")
    assert fault is not None
    assert fault.findtext("faultcode") == "soap:Client"
    assert why in (fault.findtext("faultstring") or "")


async def test_an_internal_error_is_a_server_fault_without_details(
    qbd: QbdHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sync.targets.qbd.operations import Qbwc

    async def boom(self: Qbwc) -> str:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(Qbwc, "server_version", boom)
    envelope = (
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        b'<serverVersion xmlns="http://developer.intuit.com/"/></s:Body></s:Envelope>'
    )
    response = await qbd.http.post("/qbwc", content=envelope)
    assert response.status_code == 500 and b"soap:Server" in response.content
    assert b"secret internals" not in response.content and b"Traceback" not in response.content


class AsgiTransport(Transport):  # zeep is untyped (Any base)
    """zeep's (synchronous) transport, answered by the in-process app on the test's loop."""

    def __init__(self, http: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.http, self.loop = http, loop

    def _run(self, coro: Any) -> httpx.Response:
        answer: httpx.Response = asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)
        return answer

    def load(self, url: str) -> bytes:
        return self._run(self.http.get(url)).content

    def post(self, address: str, message: bytes, headers: dict[str, str]) -> requests.Response:
        answer = self._run(self.http.post(address, content=message, headers=headers))
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers.update(answer.headers)
        response.encoding = "utf-8"
        return response


async def test_zeep_from_the_wsdl_calls_all_eight_and_reaches_100(qbd: QbdHarness) -> None:
    loop = asyncio.get_running_loop()

    def session() -> dict[str, Any]:
        client = Client(  # type: ignore[no-untyped-call]
            "https://costbridge.local/qbwc?wsdl", transport=AsgiTransport(qbd.http, loop)
        )
        service = client.service
        seen: dict[str, Any] = {
            "serverVersion": service.serverVersion(),
            "clientVersion": service.clientVersion("2.3.0.215"),
        }
        auth = service.authenticate("costbridge-demo", "demo-qbwc-password")
        seen["authenticate"] = list(auth)
        ticket = auth[0]
        progress = []
        first = True
        while True:
            request = service.sendRequestXML(
                ticket, "<QBXML/>" if first else "", r"C:\acme.QBW", "US", 13, 0
            )
            first = False
            if not request:
                break
            EMITTED.append(request)
            answer = execute(qbd.company, request)
            percent = service.receiveResponseXML(ticket, answer.response, "", "")
            progress.append(percent)
            if percent >= 100:
                break
        seen["sendRequestXML"] = True
        seen["receiveResponseXML"] = progress
        seen["getLastError"] = service.getLastError(ticket)
        seen["closeConnection"] = service.closeConnection(ticket)
        other = service.authenticate("costbridge-demo", "demo-qbwc-password")
        seen["connectionError"] = service.connectionError(other[0], "0x80040408", "Could not start")
        return seen

    seen = await asyncio.to_thread(session)
    assert set(seen) == EIGHT
    assert seen["serverVersion"].startswith("costbridge")
    assert seen["clientVersion"] in ("", None)
    assert seen["authenticate"][1] in ("", None)
    assert seen["receiveResponseXML"][-1] == 100
    assert all(isinstance(p, int) for p in seen["receiveResponseXML"])
    assert seen["closeConnection"].startswith("OK")
    assert seen["connectionError"] == "done"
