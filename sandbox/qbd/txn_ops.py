"""Transaction requests of the fake QuickBooks: Add, Mod and Query of purchase orders,
invoices, estimates, bills, vendor credits and credit memos, with QuickBooks' reference checks,
its EditSequence rule and its refusal of a total below zero; TxnVoid and TxnDel."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from sandbox.qbd.answers import NO_MATCH, QbError, ref, rs, stamp, sub, text
from sandbox.qbd.company import CompanyFile
from sandbox.qbd.records import Txn, TxnLine

KINDS = ("PurchaseOrder", "Invoice", "Estimate", "Bill", "VendorCredit", "CreditMemo")
PARTY = {
    "PurchaseOrder": "vendor",
    "Bill": "vendor",
    "VendorCredit": "vendor",
    "Invoice": "customer",
    "Estimate": "customer",
    "CreditMemo": "customer",
}
# The Ret element that carries each kind's total.
TOTAL_TAG = {"Bill": "AmountDue", "VendorCredit": "CreditAmount"}
# What QuickBooks voids (TxnVoidType): the others (purchase orders, estimates) only delete.
VOIDABLE = ("Invoice", "Bill", "VendorCredit", "CreditMemo")
VOID_MEMO = "VOID: "  # QuickBooks' mark on a voided transaction's memo
REF_KIND = {
    "VendorRef": "vendor",
    "CustomerRef": "customer",
    "ItemRef": "item",
    "AccountRef": "account",
    "OverrideItemAccountRef": "account",
    "ClassRef": "class",
}


def _resolve(company: CompanyFile, element: etree._Element, where: str) -> str:
    """The ListID a reference names; 3140 when QuickBooks has no such (active) row."""
    kind = REF_KIND[str(element.tag)]
    list_id, full_name = text(element, "ListID"), text(element, "FullName")
    row = company.by_id(kind, list_id) if list_id else company.by_name(kind, full_name)
    if row is None or not row.active:
        label = {"vendor": "Vendor", "customer": "Customer", "item": "Item", "account": "Account"}
        what = label.get(kind, "Class")
        raise QbError(
            3140,
            f'There is an invalid reference to QuickBooks {what} "{list_id or full_name}" '
            f"in the {where}. QuickBooks error message: Invalid argument. The specified record "
            "does not exist in the list.",
        )
    return row.list_id


def _line(company: CompanyFile, element: etree._Element, kind: str, line_id: str) -> TxnLine:
    line = TxnLine(line_id=line_id, amount=Decimal("0"))
    for child in element:
        tag = str(child.tag)
        if tag in ("ItemRef",):
            line.item_id = _resolve(company, child, kind)
        elif tag in ("AccountRef", "OverrideItemAccountRef"):
            line.account_id = _resolve(company, child, kind)
        elif tag == "ClassRef":
            line.class_id = _resolve(company, child, kind)
        elif tag == "CustomerRef":
            line.customer_id = _resolve(company, child, kind)
        elif tag in ("Desc", "Memo"):
            line.desc = child.text or ""
        elif tag == "Quantity":
            line.quantity = child.text or ""
        elif tag in ("Rate", "Cost"):
            line.rate = child.text or ""
        elif tag == "Amount":
            line.amount = Decimal(child.text or "0")
        elif tag == "BillableStatus":
            line.billable = child.text or ""
    if element.find("Amount") is None and line.quantity and line.rate:
        line.amount = (Decimal(line.quantity) * Decimal(line.rate)).quantize(Decimal("0.01"))
    if kind == "PurchaseOrder" and not line.item_id and not line.desc:
        raise QbError(3070, "The purchase order line needs an item or a description.")
    return line


def _line_elements(body: etree._Element) -> list[etree._Element]:
    return [c for c in body if "Line" in str(c.tag) and str(c.tag).endswith(("Add", "Mod"))]


def _apply(company: CompanyFile, txn: Txn, body: etree._Element, kind: str) -> None:
    for child in body:
        tag = str(child.tag)
        if tag in ("VendorRef", "CustomerRef"):
            txn.party_id = _resolve(company, child, kind)
        elif tag == "TxnDate":
            txn.txn_date = child.text or ""
        elif tag == "RefNumber":
            txn.ref_number = child.text or ""
        elif tag == "Memo":
            txn.memo = child.text or ""
    elements = _line_elements(body)
    if elements:  # a Mod with lines replaces them all; TxnLineID -1 is a new line
        lines = []
        for element in elements:
            line_id = text(element, "TxnLineID")
            if line_id in ("", "-1"):
                line_id = company.next_txn_id()
            lines.append(_line(company, element, kind, line_id))
        txn.lines = lines


def _ret(company: CompanyFile, txn: Txn, with_lines: bool = True) -> etree._Element:
    ret = etree.Element(f"{txn.kind}Ret")
    sub(ret, "TxnID", txn.txn_id)
    sub(ret, "TimeCreated", stamp(txn.created))
    sub(ret, "TimeModified", stamp(txn.modified))
    sub(ret, "EditSequence", txn.edit_sequence)
    sub(ret, "TxnNumber", str(txn.txn_number))
    party_kind = PARTY[txn.kind]
    party = company.lists[party_kind][txn.party_id]
    ref(
        ret,
        "VendorRef" if party_kind == "vendor" else "CustomerRef",
        party.list_id,
        party.full_name,
    )
    if txn.txn_date:
        sub(ret, "TxnDate", txn.txn_date)
    sub(ret, "RefNumber", txn.ref_number)
    sub(ret, TOTAL_TAG.get(txn.kind, "TotalAmount"), str(txn.total))
    if txn.memo:
        sub(ret, "Memo", txn.memo)
    if with_lines:
        for line in txn.lines:
            element = sub(ret, f"{txn.kind}LineRet")
            sub(element, "TxnLineID", line.line_id)
            for tag, kind, list_id in (
                ("ItemRef", "item", line.item_id),
                ("AccountRef", "account", line.account_id),
                ("ClassRef", "class", line.class_id),
                ("CustomerRef", "customer", line.customer_id),
            ):
                if list_id:
                    row = company.lists[kind][list_id]
                    ref(element, tag, row.list_id, row.full_name)
            if line.desc:
                sub(element, "Desc", line.desc)
            sub(element, "Amount", str(line.amount))
    return ret


def _faults(company: CompanyFile, kind: str) -> None:
    if company.faults.answers:
        raise QbError(*company.faults.answers.pop(0))
    if company.faults.in_use:
        company.faults.in_use -= 1
        raise QbError(
            3180,
            f"There was an error when saving a {kind}. QuickBooks error message: This list "
            "has been modified by another user.",
        )


def _positive(kind: str, txn: Txn) -> None:
    """QuickBooks refuses a transaction whose total is below zero (zero is accepted): money
    taken back is a credit (VendorCredit, CreditMemo) with positive lines. Negative lines
    are fine while the total stays at or above zero. The text is QuickBooks' (reported for
    invoices); the code is not documented: 3210, the code of a refused field value."""
    if txn.total < 0:
        raise QbError(
            3210,
            f"There was an error when saving a {kind}. QuickBooks error message: "
            "Transaction amount must be positive.",
        )


def _warning(company: CompanyFile) -> tuple[int, str]:
    """Status OK, or the next warning a test queued (the write itself succeeded)."""
    return company.faults.warnings.pop(0) if company.faults.warnings else (0, "Status OK")


def add(company: CompanyFile, request: etree._Element) -> etree._Element:
    kind = str(request.tag).removesuffix("AddRq")
    body = request[0]
    _faults(company, kind)
    party_tag = "VendorRef" if PARTY[kind] == "vendor" else "CustomerRef"
    party = body.find(party_tag)
    if party is None:
        raise QbError(3140, f"A {kind} needs a {party_tag}.")
    staged = Txn(kind, "", 0, "", "", company.now(), company.now())
    _apply(company, staged, body, kind)  # every reference is checked before anything is saved
    _positive(kind, staged)
    txn = company.new_txn(kind, staged.party_id)
    txn.txn_date, txn.ref_number, txn.memo, txn.lines = (
        staged.txn_date or company.now().date().isoformat(),
        staged.ref_number,
        staged.memo,
        staged.lines,
    )
    answer = rs(f"{kind}AddRs", request.get("requestID", ""), *_warning(company))
    answer.append(_ret(company, txn))
    return answer


def mod(company: CompanyFile, request: etree._Element) -> etree._Element:
    kind = str(request.tag).removesuffix("ModRq")
    body = request[0]
    txn_id = text(body, "TxnID")
    txn = company.txns.get(txn_id)
    if txn is None or txn.kind != kind:
        raise QbError(3120, f'Object "{txn_id}" specified in the request cannot be found.')
    if txn_id in company.faults.touch:  # another user saved it a moment ago
        company.faults.touch.discard(txn_id)
        txn.edit_sequence = company.next_edit_sequence(txn.edit_sequence)
    sequence = text(body, "EditSequence")
    if sequence != txn.edit_sequence:
        raise QbError(3200, f'The provided edit sequence "{sequence}" is out-of-date.')
    _faults(company, kind)
    staged = Txn(kind, txn_id, 0, "", txn.party_id, txn.created, txn.modified, lines=txn.lines)
    _apply(company, staged, body, kind)
    _positive(kind, staged)
    txn.party_id, txn.lines = staged.party_id, staged.lines
    txn.txn_date = staged.txn_date or txn.txn_date
    txn.ref_number = staged.ref_number or txn.ref_number
    txn.memo = staged.memo or txn.memo
    txn.edit_sequence = company.next_edit_sequence(txn.edit_sequence)
    txn.modified = company.now()
    answer = rs(f"{kind}ModRs", request.get("requestID", ""), *_warning(company))
    answer.append(_ret(company, txn))
    return answer


def query(company: CompanyFile, request: etree._Element) -> etree._Element:
    kind = str(request.tag).removesuffix("QueryRq")
    rid = request.get("requestID", "")
    found = company.of_kind(kind)
    ids = [e.text for e in request.findall("TxnID")]
    numbers = [e.text for e in request.findall("RefNumber")]
    if ids:
        found = [t for t in found if t.txn_id in ids]
    elif numbers:
        found = [t for t in found if t.ref_number in numbers]
    else:
        entity = request.find("EntityFilter")
        if entity is not None:
            wanted = {e.text for e in entity.findall("ListID")}
            names = {(e.text or "").lower() for e in entity.findall("FullName")}
            party_kind = PARTY[kind]
            found = [
                t
                for t in found
                if t.party_id in wanted
                or company.lists[party_kind][t.party_id].full_name.lower() in names
            ]
        prefix = text(request, "RefNumberFilter/RefNumber")
        how = text(request, "RefNumberFilter/MatchCriterion")
        if how == "StartsWith":
            found = [t for t in found if t.ref_number.startswith(prefix)]
        elif how == "Contains":
            found = [t for t in found if prefix in t.ref_number]
        elif how == "EndsWith":
            found = [t for t in found if t.ref_number.endswith(prefix)]
        limit = int(text(request, "MaxReturned") or 0)
        found = found[:limit] if limit else found
    if not found:
        return rs(f"{kind}QueryRs", rid, 1, NO_MATCH)
    answer = rs(f"{kind}QueryRs", rid)
    lines = text(request, "IncludeLineItems") == "true"
    for txn in found:
        answer.append(_ret(company, txn, with_lines=lines))
    return answer


def _target(company: CompanyFile, kind: str, txn_id: str) -> Txn:
    txn = company.txns.get(txn_id)
    if txn is None or txn.kind != kind:
        raise QbError(3120, f'Object "{txn_id}" specified in the request cannot be found.')
    return txn


def void(company: CompanyFile, request: etree._Element) -> etree._Element:
    """TxnVoidRq: the transaction stays, at zero, its memo marked. A kind QuickBooks does not
    void (a purchase order, an estimate) is not in the schema's TxnVoidType. Voiding a voided
    transaction again marks it again: a double void shows (``company.voided`` too)."""
    kind, txn_id = text(request, "TxnVoidType"), text(request, "TxnID")
    if kind not in VOIDABLE:  # only reachable without the schemas: QuickBooks never parses it
        raise QbError(3250, f"This feature is not supported: a {kind} cannot be voided.")
    txn = _target(company, kind, txn_id)
    _faults(company, kind)
    for line in txn.lines:
        line.amount = Decimal("0")
    txn.memo = f"{VOID_MEMO}{txn.memo}"
    txn.edit_sequence = company.next_edit_sequence(txn.edit_sequence)
    txn.modified = company.now()
    company.voided.append(txn_id)
    answer = rs("TxnVoidRs", request.get("requestID", ""))
    sub(answer, "TxnVoidType", kind)
    sub(answer, "TxnID", txn_id)
    sub(answer, "TimeCreated", stamp(txn.created))
    sub(answer, "TimeModified", stamp(txn.modified))
    sub(answer, "RefNumber", txn.ref_number)
    return answer


def delete(company: CompanyFile, request: etree._Element) -> etree._Element:
    """TxnDelRq: the transaction is gone (only a TxnDeletedQuery would still name it)."""
    kind, txn_id = text(request, "TxnDelType"), text(request, "TxnID")
    txn = _target(company, kind, txn_id)
    _faults(company, kind)
    del company.txns[txn_id]
    company.deleted.append(txn_id)
    answer = rs("TxnDelRs", request.get("requestID", ""))
    sub(answer, "TxnDelType", kind)
    sub(answer, "TxnID", txn_id)
    sub(answer, "TimeDeleted", stamp(company.now()))
    sub(answer, "RefNumber", txn.ref_number)
    return answer
