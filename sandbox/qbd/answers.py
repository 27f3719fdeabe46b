"""Building QuickBooks' answers: ``*Rs`` elements with the status texts QuickBooks uses."""

from __future__ import annotations

from datetime import datetime

from lxml import etree

NO_MATCH = "A query request did not find a matching object in QuickBooks"


class QbError(Exception):
    """A request QuickBooks refuses: becomes ``statusCode``/``statusMessage`` on its Rs."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def severity(code: int) -> str:
    if code <= 499:
        return "Info"
    if code <= 999:
        return "Warn"
    return "Error"


def rs(tag: str, request_id: str, code: int = 0, message: str = "Status OK") -> etree._Element:
    element = etree.Element(tag)
    element.set("requestID", request_id)
    element.set("statusCode", str(code))
    element.set("statusSeverity", severity(code))
    element.set("statusMessage", message)
    return element


def sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def ref(parent: etree._Element, tag: str, list_id: str, full_name: str) -> None:
    element = sub(parent, tag)
    sub(element, "ListID", list_id)
    sub(element, "FullName", full_name)


def text(element: etree._Element, path: str) -> str:
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""
