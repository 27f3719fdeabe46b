"""SOAP 1.1 envelopes of the Web Connector protocol, read and written with lxml.

Requests are read by local name, whatever the namespace prefixes (the Web Connector sends
document/literal; some clients send RPC-looking bodies); answers are document/literal in
``http://developer.intuit.com/``. Anything we cannot read becomes a SOAP fault, never a stack
trace or a non-XML body (which the Web Connector reports as QBWC1042).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
INTUIT = "http://developer.intuit.com/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"

# Each operation's parameters in order, with their XML Schema type, and its result type.
# The WSDL and the request parser are both generated from this one table.
OPERATIONS: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "serverVersion": ((), "string"),
    "clientVersion": ((("strVersion", "string"),), "string"),
    "authenticate": ((("strUserName", "string"), ("strPassword", "string")), "ArrayOfString"),
    "sendRequestXML": (
        (
            ("ticket", "string"),
            ("strHCPResponse", "string"),
            ("strCompanyFileName", "string"),
            ("qbXMLCountry", "string"),
            ("qbXMLMajorVers", "int"),
            ("qbXMLMinorVers", "int"),
        ),
        "string",
    ),
    "receiveResponseXML": (
        (
            ("ticket", "string"),
            ("response", "string"),
            ("hresult", "string"),
            ("message", "string"),
        ),
        "int",
    ),
    "connectionError": (
        (("ticket", "string"), ("hresult", "string"), ("message", "string")),
        "string",
    ),
    "getLastError": ((("ticket", "string"),), "string"),
    "closeConnection": ((("ticket", "string"),), "string"),
}


class SoapFault(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code  # Client (the request is wrong) or Server (we failed)
        self.message = message


@dataclass(frozen=True)
class Call:
    operation: str
    params: dict[str, str]

    def text(self, name: str) -> str:
        return self.params.get(name, "")

    def integer(self, name: str) -> int:
        raw = self.params.get(name, "").strip() or "0"
        try:
            return int(raw)
        except ValueError as exc:
            raise SoapFault("Client", f"{name} must be an integer") from exc


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_call(body: bytes) -> Call:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
    )
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise SoapFault("Client", "the request is not well-formed XML") from exc
    if _local(root.tag) != "Envelope":
        raise SoapFault("Client", "the request is not a SOAP envelope")
    soap_body = next((c for c in root if _local(c.tag) == "Body"), None)
    operation = (
        next((c for c in soap_body if isinstance(c.tag, str)), None)
        if soap_body is not None
        else None
    )
    if operation is None:
        raise SoapFault("Client", "the SOAP body is empty")
    name = _local(operation.tag)
    if name not in OPERATIONS:
        raise SoapFault("Client", f"unknown operation {name!r}")
    params = {_local(c.tag): c.text or "" for c in operation if isinstance(c.tag, str)}
    return Call(name, params)


def _envelope() -> tuple[etree._Element, etree._Element]:
    env = etree.Element(
        etree.QName(SOAP_ENV, "Envelope"), nsmap={"soap": SOAP_ENV, "xsi": XSI, "xsd": XSD}
    )
    return env, etree.SubElement(env, etree.QName(SOAP_ENV, "Body"))


def response(operation: str, result: str | int | list[str]) -> bytes:
    env, body = _envelope()
    wrapper = etree.SubElement(
        body,
        etree.QName(INTUIT, f"{operation}Response"),
        nsmap={None: INTUIT},  # type: ignore[dict-item]
    )
    value = etree.SubElement(wrapper, etree.QName(INTUIT, f"{operation}Result"))
    if isinstance(result, list):
        for item in result:
            etree.SubElement(value, etree.QName(INTUIT, "string")).text = item
    else:
        value.text = str(result)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def fault(code: str, message: str) -> bytes:
    env, body = _envelope()
    element = etree.SubElement(body, etree.QName(SOAP_ENV, "Fault"))
    etree.SubElement(element, "faultcode").text = f"soap:{code}"
    etree.SubElement(element, "faultstring").text = message
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")
