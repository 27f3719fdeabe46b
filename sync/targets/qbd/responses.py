"""Reading QuickBooks' qbXML answers: one ``Rs`` per request, matched by ``requestID``."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from sync.errors import FatalError

INFO_MAX = 499
WARN_MAX = 999
STATUS_NO_MATCH = 1  # a query found nothing: not an error
STATUS_NAME_IN_USE = 3100
STATUS_INVALID_PARENT = 3130
STATUS_NOT_FOUND = 3120  # the TxnID names no transaction (deleted)
STATUS_INVALID_REFERENCE = 3140
STATUS_IN_USE = 3180
STATUS_STALE_EDIT_SEQUENCE = 3200
STATUS_BAD_ITERATOR = 3391


@dataclass(frozen=True)
class Rs:
    """One response element (``PurchaseOrderAddRs``, ``CustomerQueryRs``...)."""

    tag: str
    request_id: str
    code: int
    severity: str
    message: str
    rets: list[etree._Element] = field(default_factory=list)
    iterator_id: str = ""
    remaining: int = 0

    @property
    def ok(self) -> bool:
        """Info and warnings (0-999) are successes; a warning is recorded, not a failure."""
        return self.code <= WARN_MAX

    @property
    def warning(self) -> bool:
        return INFO_MAX < self.code <= WARN_MAX


def text_of(element: etree._Element, path: str) -> str:
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def parse_response(xml: str) -> list[Rs]:
    """Every ``*Rs`` of the message set, in order. A body that is not qbXML is a FatalError
    (the request processor answered something we cannot read: never guess an outcome)."""
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(xml.strip().encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise FatalError("QuickBooks' response is not well-formed XML", detail=str(exc)) from exc
    msgs = root.find("QBXMLMsgsRs")
    if root.tag != "QBXML" or msgs is None:
        raise FatalError("QuickBooks' response has no QBXMLMsgsRs", system="qbd")
    out: list[Rs] = []
    for rs in msgs:
        if not isinstance(rs.tag, str):
            continue  # comments, processing instructions
        try:
            code = int(rs.get("statusCode", ""))
        except ValueError as exc:
            raise FatalError(f"{rs.tag} has no numeric statusCode", system="qbd") from exc
        out.append(
            Rs(
                tag=rs.tag,
                request_id=rs.get("requestID", ""),
                code=code,
                severity=rs.get("statusSeverity", ""),
                message=rs.get("statusMessage", ""),
                rets=[child for child in rs if isinstance(child.tag, str)],
                iterator_id=rs.get("iteratorID", ""),
                remaining=int(rs.get("iteratorRemainingCount", "0") or 0),
            )
        )
    return out
