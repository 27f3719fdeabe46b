"""``POST /qbwc`` (the Web Connector's SOAP calls) and ``GET /qbwc?wsdl``."""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request, Response

from sync.targets.qbd.operations import Qbwc
from sync.targets.qbd.soap import Call, SoapFault, fault, parse_call, response
from sync.targets.qbd.wsdl import build_wsdl

log = structlog.get_logger("costbridge.qbwc")
PATH = "/qbwc"
XML = "text/xml; charset=utf-8"
MAX_BODY = 64 * 1024 * 1024  # a page of list rows is large; anything beyond is not QuickBooks


async def dispatch(qbwc: Qbwc, call: Call) -> str | int | list[str]:
    match call.operation:
        case "serverVersion":
            return await qbwc.server_version()
        case "clientVersion":
            return await qbwc.client_version(call.text("strVersion"))
        case "authenticate":
            return await qbwc.authenticate(call.text("strUserName"), call.text("strPassword"))
        case "sendRequestXML":
            return await qbwc.send_request_xml(
                call.text("ticket"),
                call.text("strHCPResponse"),
                call.text("strCompanyFileName"),
                call.integer("qbXMLMajorVers"),
                call.integer("qbXMLMinorVers"),
            )
        case "receiveResponseXML":
            return await qbwc.receive_response_xml(
                call.text("ticket"),
                call.text("response"),
                call.text("hresult"),
                call.text("message"),
            )
        case "connectionError":
            return await qbwc.connection_error(
                call.text("ticket"), call.text("hresult"), call.text("message")
            )
        case "getLastError":
            return await qbwc.get_last_error(call.text("ticket"))
        case "closeConnection":
            return await qbwc.close_connection(call.text("ticket"))
    raise SoapFault("Client", f"unknown operation {call.operation!r}")


def mount_qbwc(app: FastAPI, qbwc: Qbwc) -> None:
    """Serve the Web Connector endpoint on ``app`` (with or without a Desktop target)."""
    location = qbwc.settings.public_base_url.rstrip("/") + PATH

    @app.get(PATH)
    async def qbwc_wsdl(request: Request) -> Response:
        if any(key.lower() == "wsdl" for key in request.query_params):
            return Response(build_wsdl(location), media_type=XML)
        return Response(
            "costbridge QuickBooks Web Connector endpoint (SOAP; the service description is "
            f"at {location}?wsdl)\n",
            media_type="text/plain",
        )

    @app.post(PATH)
    async def qbwc_soap(request: Request) -> Response:
        body = await request.body()
        try:
            if len(body) > MAX_BODY:
                raise SoapFault("Client", "the request is too large")
            call = parse_call(body)
            result = await dispatch(qbwc, call)
        except SoapFault as exc:
            log.warning("qbwc.fault", code=exc.code, error=exc.message)
            return Response(fault(exc.code, exc.message), status_code=500, media_type=XML)
        except Exception:
            # Never a stack trace on the wire: the Web Connector must get SOAP (QBWC1042).
            log.exception("qbwc.bug")
            body = fault("Server", "costbridge could not process the call; see its logs")
            return Response(body, status_code=500, media_type=XML)
        return Response(response(call.operation, result), media_type=XML)
