"""Transaction requests of the fake QuickBooks: Add, Mod and Query of purchase orders,
invoices, estimates, bills, vendor credits and credit memos, with QuickBooks' reference checks,
its EditSequence rule, its line rules for a Mod and its refusal of a total below zero; TxnVoid
and TxnDel.

A Mod's lines follow Intuit's "Modify, delete and void requests and responses": a Mod without
line aggregates changes the body only. Once a line list is touched, every line of it that the
request does not name by TxnLineID is deleted; a named line keeps what the request leaves out
(only its TxnLineID: unchanged); TxnLineID -1 adds a line where it stands; a TxnLineID that is
not one of the list's lines is refused (3120) and nothing changes. A bill or vendor credit has
two lists, each touched on its own (or emptied by ClearExpenseLines / ClearItemLines).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from lxml import etree

from sandbox.qbd.answers import NO_MATCH, QbError, ref, rs, stamp, sub, text
from sandbox.qbd.company import CompanyFile
from sandbox.qbd.records import Txn, TxnLine, line_tables

KINDS = ("PurchaseOrder", "Invoice", "Estimate", "Bill", "VendorCredit", "CreditMemo")
PARTY = {
    "PurchaseOrder": "vendor",
    "Bill": "vendor",
    "VendorCredit": "vendor",
    "Invoice": "customer",
    "Estimate": "customer",
    "CreditMemo": "customer",
}
# The body of each kind's Ret after its party, in qbxml130.xsd order: a bill's and a vendor
# credit's amount comes before RefNumber; an invoice has no TotalAmount (Subtotal instead).
HEADER = {
    "PurchaseOrder": ("TxnDate", "RefNumber", "TotalAmount", "Memo"),
    "Invoice": ("TxnDate", "RefNumber", "Subtotal", "BalanceRemaining", "Memo"),
    "Estimate": ("TxnDate", "RefNumber", "Subtotal", "TotalAmount", "Memo"),
    "Bill": ("TxnDate", "AmountDue", "RefNumber", "Memo"),
    "VendorCredit": ("TxnDate", "CreditAmount", "RefNumber", "Memo"),
    "CreditMemo": ("TxnDate", "RefNumber", "Subtotal", "TotalAmount", "CreditRemaining", "Memo"),
}
TEXT_FIELD = {"TxnDate": "txn_date", "RefNumber": "ref_number", "Memo": "memo"}
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
# The line elements the fake keeps (Add, Mod and Ret alike) and the TxnLine field of each.
LINE_FIELD = {
    "ItemRef": "item_id",
    "AccountRef": "account_id",
    "OverrideItemAccountRef": "account_id",
    "ClassRef": "class_id",
    "CustomerRef": "customer_id",
    "Desc": "desc",
    "Memo": "desc",
    "Quantity": "quantity",
    "Rate": "rate",
    "Cost": "rate",
    "Amount": "amount",
    "BillableStatus": "billable",
}
# Each line Ret's children after TxnLineID, in qbxml130.xsd order, limited to what the fake
# keeps and the Ret has: no Ret carries OverrideItemAccountRef, sales lines no CustomerRef.
SALES_LINE_RET = ("ItemRef", "Desc", "Quantity", "Rate", "ClassRef", "Amount")
LINE_RET = {
    "PurchaseOrderLine": (
        "ItemRef",
        "Desc",
        "Quantity",
        "Rate",
        "ClassRef",
        "Amount",
        "CustomerRef",
    ),
    "ExpenseLine": ("AccountRef", "Amount", "Memo", "CustomerRef", "ClassRef", "BillableStatus"),
    "ItemLine": (
        "ItemRef",
        "Desc",
        "Quantity",
        "Cost",
        "Amount",
        "CustomerRef",
        "ClassRef",
        "BillableStatus",
    ),
    "InvoiceLine": SALES_LINE_RET,
    "EstimateLine": SALES_LINE_RET,
    "CreditMemoLine": SALES_LINE_RET,
}
NEW_LINE = "-1"


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


def _not_found(object_id: str) -> QbError:
    return QbError(3120, f'Object "{object_id}" specified in the request cannot be found.')


def _fill(company: CompanyFile, line: TxnLine, element: etree._Element, kind: str) -> None:
    """The values the element carries replace the line's; the others stay."""
    for child in element:
        tag = str(child.tag)
        if tag not in LINE_FIELD:
            continue
        value: str | Decimal = child.text or ""
        if tag in REF_KIND:
            value = _resolve(company, child, kind)
        elif tag == "Amount":
            value = Decimal(child.text or "0")
        setattr(line, LINE_FIELD[tag], value)
    priced = any(element.find(tag) is not None for tag in ("Quantity", "Rate", "Cost"))
    if element.find("Amount") is None and priced and line.quantity and line.rate:
        line.amount = (Decimal(line.quantity) * Decimal(line.rate)).quantize(Decimal("0.01"))


def _line(
    company: CompanyFile,
    element: etree._Element,
    kind: str,
    table: str,
    existing: dict[str, TxnLine],
) -> TxnLine:
    line_id = text(element, "TxnLineID")
    if str(element.tag).endswith("Add") or line_id == NEW_LINE:
        line = TxnLine(company.next_line_id(), Decimal("0"), table=table)
    elif line_id in existing:
        line = replace(existing[line_id])  # a copy: nothing changes unless all of it is accepted
    else:
        raise _not_found(line_id)
    _fill(company, line, element, kind)
    if kind == "PurchaseOrder" and not line.item_id and not line.desc:
        raise QbError(3070, "The purchase order line needs an item or a description.")
    return line


def _unsupported_lines(body: etree._Element, kind: str) -> None:
    """Line aggregates the fake does not keep (item groups, discount or shipping lines) are
    refused rather than dropped: a client must not think QuickBooks took them."""
    known = {f"{table}{verb}" for table in line_tables(kind) for verb in ("Add", "Mod")}
    for child in body:
        tag = str(child.tag)
        if "Line" in tag and tag.endswith(("Add", "Mod")) and tag not in known:
            raise QbError(3250, f"This feature is not supported by the sandbox: {tag}.")


def _lines(company: CompanyFile, txn: Txn, body: etree._Element, kind: str) -> list[TxnLine]:
    """The lines after the request, list by list (see the module's docstring)."""
    _unsupported_lines(body, kind)
    out: list[TxnLine] = []
    for table in line_tables(kind):
        current = [line for line in txn.lines if line.table == table]
        elements = [c for c in body if str(c.tag) in (f"{table}Add", f"{table}Mod")]
        cleared = text(body, f"Clear{table}s") == "true"
        if not elements and not cleared:
            out += current  # an untouched list stays as it is
            continue
        existing = {} if cleared else {line.line_id: line for line in current}
        out += [_line(company, element, kind, table, existing) for element in elements]
    return out


def _apply(company: CompanyFile, txn: Txn, body: etree._Element, kind: str) -> None:
    for child in body:
        tag = str(child.tag)
        if tag in ("VendorRef", "CustomerRef"):
            txn.party_id = _resolve(company, child, kind)
        elif tag in TEXT_FIELD:
            setattr(txn, TEXT_FIELD[tag], child.text or "")
    txn.lines = _lines(company, txn, body, kind)


def _commit(txn: Txn, staged: Txn) -> None:
    txn.party_id, txn.memo, txn.lines = staged.party_id, staged.memo, staged.lines
    txn.txn_date, txn.ref_number = staged.txn_date, staged.ref_number


def _line_ret(company: CompanyFile, line: TxnLine) -> etree._Element:
    element = etree.Element(f"{line.table}Ret")
    sub(element, "TxnLineID", line.line_id)
    for tag in LINE_RET[line.table]:
        value = getattr(line, LINE_FIELD[tag])
        if tag in REF_KIND:
            if value:
                row = company.lists[REF_KIND[tag]][value]
                ref(element, tag, row.list_id, row.full_name)
        elif value or tag == "Amount":  # a line always has an amount, zero included
            sub(element, tag, str(value))
    return element


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
    for tag in HEADER[txn.kind]:
        value = getattr(txn, TEXT_FIELD[tag]) if tag in TEXT_FIELD else str(txn.total)
        if value:
            sub(ret, tag, value)
    if with_lines:
        for table in line_tables(txn.kind):
            ret.extend(_line_ret(company, line) for line in txn.lines if line.table == table)
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
    staged.txn_date = staged.txn_date or company.now().date().isoformat()
    txn = company.new_txn(kind, staged.party_id)
    _commit(txn, staged)
    answer = rs(f"{kind}AddRs", request.get("requestID", ""), *_warning(company))
    answer.append(_ret(company, txn))
    return answer


def mod(company: CompanyFile, request: etree._Element) -> etree._Element:
    kind = str(request.tag).removesuffix("ModRq")
    body = request[0]
    txn_id = text(body, "TxnID")
    txn = _target(company, kind, txn_id)
    if txn_id in company.faults.touch:  # another user saved it a moment ago
        company.faults.touch.discard(txn_id)
        company.edit_as_user(txn_id)
    sequence = text(body, "EditSequence")
    if sequence != txn.edit_sequence:
        raise QbError(3200, f'The provided edit sequence "{sequence}" is out-of-date.')
    _faults(company, kind)
    staged = replace(txn)  # the request is applied to a copy: a refusal changes nothing
    _apply(company, staged, body, kind)
    _positive(kind, staged)
    _commit(txn, staged)
    company.saved(txn)
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
        raise _not_found(txn_id)
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
    company.saved(txn)
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
