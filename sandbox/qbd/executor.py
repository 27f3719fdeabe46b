"""QuickBooks' request processor, faked: one qbXML message set in, one answer out.

A request that is not valid qbXML 13.0 (element order, lengths, a missing ``onError``) or
carries characters outside Latin-1 gets no answer at all, only the HRESULT QuickBooks gives:
0x80040400 "QuickBooks found an error when parsing the provided XML text stream."
With the schemas present, every answer is checked against them too: one that fails is the
fake's bug and raises, so each test that talks to it also checks what it answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from sandbox.qbd import list_ops, txn_ops
from sandbox.qbd.answers import QbError, rs
from sandbox.qbd.company import CompanyFile
from sandbox.qbd.schema import schema_errors

PARSE_ERROR = "0x80040400"
PARSE_MESSAGE = "QuickBooks found an error when parsing the provided XML text stream."
SUPPORTED = (13, 0)
_VERSION = re.compile(r'<\?qbxml\s+version="(\d+)\.(\d+)"\s*\?>')


@dataclass(frozen=True)
class Outcome:
    response: str  # qbXML, or "" when the request processor refused the message
    hresult: str = ""
    message: str = ""


def _refuse(company: CompanyFile, request: str, why: str) -> Outcome:
    company.rejected.append(request)
    return Outcome("", PARSE_ERROR, f"{PARSE_MESSAGE} ({why})")


def _injected_parse_error(company: CompanyFile, msgs: etree._Element) -> bool:
    for element in msgs:
        if str(element.tag) in company.faults.unparseable:
            company.faults.unparseable.remove(str(element.tag))
            return True
    return False


def _handler(tag: str):  # type: ignore[no-untyped-def]
    if tag in list_ops.KIND_OF_QUERY:
        return list_ops.query
    if tag in ("CustomerAddRq", "VendorAddRq"):
        return list_ops.add_name
    if tag == "TxnVoidRq":
        return txn_ops.void
    if tag == "TxnDelRq":
        return txn_ops.delete
    for kind in txn_ops.KINDS:
        if tag == f"{kind}AddRq":
            return txn_ops.add
        if tag == f"{kind}ModRq":
            return txn_ops.mod
        if tag == f"{kind}QueryRq":
            return txn_ops.query
    return None


def execute(company: CompanyFile, request: str) -> Outcome:
    company.requests.append(request)
    version = _VERSION.search(request)
    if version is None or (int(version[1]), int(version[2])) > SUPPORTED:
        return _refuse(company, request, "missing or unsupported qbxml version")
    try:
        request.encode("latin-1")
    except UnicodeEncodeError:
        return _refuse(company, request, "characters outside ISO-8859-1")
    try:
        root = etree.fromstring(request.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        return _refuse(company, request, str(exc))
    msgs = root.find("QBXMLMsgsRq")
    if msgs is not None and _injected_parse_error(company, msgs):
        return Outcome("", PARSE_ERROR, PARSE_MESSAGE)  # a fault switch, not our schema check
    why = schema_errors(root)
    if why or msgs is None:
        return _refuse(company, request, why or "no QBXMLMsgsRq")
    stop = msgs.get("onError") != "continueOnError"
    out = etree.Element("QBXML")
    answers = etree.SubElement(out, "QBXMLMsgsRs")
    for element in msgs:
        tag = str(element.tag)
        handler = _handler(tag)
        rid = element.get("requestID", "")
        if handler is None:
            answer = rs(tag.removesuffix("Rq") + "Rs", rid, 3250, "This feature is not supported.")
        else:
            try:
                answer = handler(company, element)
            except QbError as exc:
                answer = rs(tag.removesuffix("Rq") + "Rs", rid, exc.code, exc.message)
        answers.append(answer)
        if stop and int(answer.get("statusCode", "0")) >= 1000:
            break  # stopOnError: the rest is not processed
    wrong = schema_errors(out)
    if wrong:  # a bug of the fake: no client may learn from an answer QuickBooks cannot give
        raise AssertionError(f"the sandbox answered outside qbXML 13.0: {wrong}")
    body = etree.tostring(out, encoding="unicode", pretty_print=True)
    return Outcome(f'<?xml version="1.0" ?>\n{body}')
