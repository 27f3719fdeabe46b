"""The Web Connector's side of the SOAP exchange: document/literal calls, lxml both ways."""

from __future__ import annotations

import httpx
from lxml import etree

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
INTUIT = "http://developer.intuit.com/"


class SoapError(Exception):
    """An answer the Web Connector could not use (it logs QBWC1042 / QBWC1012 and stops)."""


def envelope(operation: str, params: list[tuple[str, str]]) -> bytes:
    env = etree.Element(etree.QName(SOAP_ENV, "Envelope"), nsmap={"soap": SOAP_ENV})
    body = etree.SubElement(env, etree.QName(SOAP_ENV, "Body"))
    call = etree.SubElement(body, etree.QName(INTUIT, operation), nsmap={None: INTUIT})  # type: ignore[dict-item]
    for name, value in params:
        etree.SubElement(call, etree.QName(INTUIT, name)).text = value
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


async def call(
    http: httpx.AsyncClient, url: str, operation: str, params: list[tuple[str, str]]
) -> etree._Element:
    """POST one call; the ``<operation>Result`` element of the answer."""
    response = await http.post(
        url,
        content=envelope(operation, params),
        headers={
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{INTUIT}{operation}"',
        },
    )
    try:
        root = etree.fromstring(response.content)
    except etree.XMLSyntaxError as exc:
        raise SoapError(f"QBWC1042: {operation} failed: response is not well-formed XML") from exc
    result = root.find(f".//{{{INTUIT}}}{operation}Result")
    if response.status_code != 200 or result is None:
        fault = root.findtext(".//faultstring") or f"HTTP {response.status_code}"
        raise SoapError(f"QBWC1012: {operation} failed: {fault}")
    return result
