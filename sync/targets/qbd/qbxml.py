"""qbXML 13.0 documents: the message set around requests, and small element helpers.

Built with lxml, never by string formatting, so text is always escaped; the caller adds
children in the XSD's sequence order (QuickBooks rejects anything out of order with
0x80040400).
"""

from __future__ import annotations

from lxml import etree

QBXML_VERSION = "13.0"
STOP_ON_ERROR = "stopOnError"
CONTINUE_ON_ERROR = "continueOnError"


def sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child


def ref(parent: etree._Element, tag: str, list_id: str = "", full_name: str = "") -> None:
    """A reference (VendorRef, AccountRef, ...): ListID when known, else FullName."""
    element = sub(parent, tag)
    if list_id:
        sub(element, "ListID", list_id)
    else:
        sub(element, "FullName", full_name)


def request(tag: str, request_id: str, **attributes: str) -> etree._Element:
    element = etree.Element(tag, requestID=request_id)
    for name, value in attributes.items():
        element.set(name, value)
    return element


def message_set(requests: list[etree._Element], on_error: str = STOP_ON_ERROR) -> str:
    """The whole qbXML document the Web Connector hands to QuickBooks."""
    root = etree.Element("QBXML")
    msgs = sub(root, "QBXMLMsgsRq")
    msgs.set("onError", on_error)
    for element in requests:
        msgs.append(element)
    body = etree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="{QBXML_VERSION}"?>\n{body}'
