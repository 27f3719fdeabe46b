"""The qbXML requests costbridge sends, each child in qbxml130.xsd's sequence order.

Transactions: Add, Mod (the lines planned by ``sparse``: ours by TxnLineID, others kept by
TxnLineID only, new ones -1), a look-up by RefNumber and party (after a write whose answer
never came), a read by TxnID (with its lines before a Mod; whether a void whose answer never
came landed), a void or a delete.
Lists: paged queries (iterators where 13.0 has them), CustomerAdd (jobs with ParentRef),
VendorAdd, and a read by name (to reuse a name already in use, 3100).
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from sync.models import TargetKind
from sync.targets.qbd import sparse
from sync.targets.qbd.qbxml import ref, request, sub

PARTY_TAG = {
    TargetKind.PURCHASE_ORDER: "VendorRef",
    TargetKind.BILL: "VendorRef",
    TargetKind.VENDOR_CREDIT: "VendorRef",
    TargetKind.INVOICE: "CustomerRef",
    TargetKind.ESTIMATE: "CustomerRef",
    TargetKind.CREDIT_MEMO: "CustomerRef",
}
# What QuickBooks can void (qbxml130.xsd TxnVoidType): posting transactions keep their number
# and history at zero. Purchase orders and estimates are not in TxnVoidType (they post
# nothing); they are deleted (TxnDelType).
VOIDABLE = frozenset(
    {TargetKind.INVOICE, TargetKind.BILL, TargetKind.VENDOR_CREDIT, TargetKind.CREDIT_MEMO}
)
# QuickBooks prefixes the memo of a voided transaction with this.
VOIDED_MEMO = "VOID:"
# Which lists 13.0 can page with an iterator (AccountQueryRq and ClassQueryRq cannot).
LIST_QUERY = {
    "account": ("AccountQueryRq", False),
    "vendor": ("VendorQueryRq", True),
    "customer": ("CustomerQueryRq", True),
    "item": ("ItemQueryRq", True),
    "class": ("ClassQueryRq", False),
}


def _header(element: etree._Element, kind: TargetKind, body: dict[str, Any]) -> None:
    ref(element, PARTY_TAG[kind], list_id=str(body["party"]))
    if body.get("txn_date"):
        sub(element, "TxnDate", str(body["txn_date"]))
    sub(element, "RefNumber", str(body["ref_number"]))
    sub(element, "Memo", str(body["memo"]))


def _billable(element: etree._Element, line: dict[str, Any]) -> None:
    if line.get("billable") is not None:
        sub(element, "BillableStatus", "Billable" if line["billable"] else "NotBillable")


def _po_fields(element: etree._Element, line: dict[str, Any], po_item: str) -> None:
    # Purchase order lines are item lines in Desktop; the mapped account overrides the item's.
    ref(element, "ItemRef", list_id=line["item"], full_name=po_item)
    if line["desc"]:
        sub(element, "Desc", line["desc"])
    if "quantity" in line:
        sub(element, "Quantity", line["quantity"])
        sub(element, "Rate", line["rate"])
    if line["class"]:
        ref(element, "ClassRef", list_id=line["class"])
    sub(element, "Amount", line["amount"])
    if line["customer"]:
        ref(element, "CustomerRef", list_id=line["customer"])
    if line["account"]:
        ref(element, "OverrideItemAccountRef", list_id=line["account"])


def _sales_fields(element: etree._Element, line: dict[str, Any]) -> None:
    ref(element, "ItemRef", list_id=line["item"])
    if line["desc"]:
        sub(element, "Desc", line["desc"])
    if "quantity" in line:
        sub(element, "Quantity", line["quantity"])
        sub(element, "Rate", line["rate"])
    if line["class"]:
        ref(element, "ClassRef", list_id=line["class"])
    sub(element, "Amount", line["amount"])


def _expense_fields(element: etree._Element, line: dict[str, Any]) -> None:
    ref(element, "AccountRef", list_id=line["account"])
    sub(element, "Amount", line["amount"])
    if line["desc"]:
        sub(element, "Memo", line["desc"])
    if line["customer"]:
        ref(element, "CustomerRef", list_id=line["customer"])
    if line["class"]:
        ref(element, "ClassRef", list_id=line["class"])
    _billable(element, line)


def _item_fields(element: etree._Element, line: dict[str, Any]) -> None:
    ref(element, "ItemRef", list_id=line["item"])
    if line["desc"]:
        sub(element, "Desc", line["desc"])
    if "quantity" in line:
        sub(element, "Quantity", line["quantity"])
        sub(element, "Cost", line["rate"])
    sub(element, "Amount", line["amount"])
    if line["customer"]:
        ref(element, "CustomerRef", list_id=line["customer"])
    if line["class"]:
        ref(element, "ClassRef", list_id=line["class"])
    _billable(element, line)


def _line_fields(element: etree._Element, group: str, line: dict[str, Any], po_item: str) -> None:
    if group == "PurchaseOrderLine":
        _po_fields(element, line, po_item)
    elif group == "ExpenseLine":
        _expense_fields(element, line)
    elif group == "ItemLine":
        _item_fields(element, line)
    else:
        _sales_fields(element, line)


def _lines(
    element: etree._Element,
    body: dict[str, Any],
    plan: list[sparse.Entry],
    *,
    mod: bool,
    po_item: str,
) -> None:
    """The planned lines in order (``sparse``): on a Mod, ours with their TxnLineID (-1 for
    new ones), everyone else's by TxnLineID only, so QuickBooks keeps them as they are."""
    for entry in plan:
        if "clear" in entry:  # ClearExpenseLines / ClearItemLines: that list loses every line
            sub(element, f"Clear{entry['group']}s", "true")
            continue
        line = sub(element, f"{entry['group']}{'Mod' if mod else 'Add'}")
        if mod:
            sub(line, "TxnLineID", str(entry.get("keep") or entry["txn_line_id"]))
        if "line" in entry:
            _line_fields(line, entry["group"], body["lines"][entry["line"]], po_item)


def txn_add(
    kind: TargetKind, body: dict[str, Any], request_id: str, po_item: str
) -> etree._Element:
    rq = request(f"{kind.value}AddRq", request_id)
    add = sub(rq, f"{kind.value}Add")
    _header(add, kind, body)
    _lines(add, body, sparse.add_plan(kind, body), mod=False, po_item=po_item)
    return rq


def txn_mod(
    kind: TargetKind,
    body: dict[str, Any],
    request_id: str,
    *,
    txn_id: str,
    edit_sequence: str,
    po_item: str,
    plan: list[sparse.Entry] | None = None,
    header: bool = True,
) -> etree._Element:
    """``plan`` from ``sparse.mod_plan`` (after reading the transaction); without one every
    line is replaced (each sent as new, TxnLineID -1). Without ``header`` only lines are
    named (a change order amending its commitment's purchase order owns nothing else)."""
    rq = request(f"{kind.value}ModRq", request_id)
    mod = sub(rq, f"{kind.value}Mod")
    sub(mod, "TxnID", txn_id)
    sub(mod, "EditSequence", edit_sequence)
    if header:
        _header(mod, kind, body)
    _lines(
        mod,
        body,
        plan if plan is not None else sparse.add_plan(kind, body),
        mod=True,
        po_item=po_item,
    )
    return rq


def txn_find(kind: TargetKind, body: dict[str, Any], request_id: str) -> etree._Element:
    """Transactions of this party whose number starts with ours (the memo marker decides)."""
    rq = request(f"{kind.value}QueryRq", request_id)
    sub(rq, "MaxReturned", "50")
    entity = sub(rq, "EntityFilter")
    sub(entity, "ListID", str(body["party"]))
    number = sub(rq, "RefNumberFilter")
    sub(number, "MatchCriterion", "StartsWith")
    sub(number, "RefNumber", str(body["ref_number"]))
    sub(rq, "IncludeLineItems", "true")  # what is found is linked line by line
    return rq


def txn_read(
    kind: TargetKind, txn_id: str, request_id: str, *, lines: bool = False
) -> etree._Element:
    """One transaction by TxnID; with its lines when ``lines`` (QuickBooks returns none
    unless asked)."""
    rq = request(f"{kind.value}QueryRq", request_id)
    sub(rq, "TxnID", txn_id)
    if lines:
        sub(rq, "IncludeLineItems", "true")
    return rq


def txn_void(kind: TargetKind, txn_id: str, request_id: str) -> etree._Element:
    """TxnVoidRq where QuickBooks voids the kind, TxnDelRq where it can only delete it."""
    if kind in VOIDABLE:
        rq = request("TxnVoidRq", request_id)
        sub(rq, "TxnVoidType", kind.value)
    else:
        rq = request("TxnDelRq", request_id)
        sub(rq, "TxnDelType", kind.value)
    sub(rq, "TxnID", txn_id)
    return rq


def list_query(
    kind: str, request_id: str, *, iterator_id: str = "", page_size: int = 100
) -> etree._Element:
    """Every row, active or not (an inactive account must be explained, not hidden)."""
    tag, pages = LIST_QUERY[kind]
    if not pages:
        rq = request(tag, request_id)
    elif iterator_id:
        rq = request(tag, request_id, iterator="Continue", iteratorID=iterator_id)
    else:
        rq = request(tag, request_id, iterator="Start")
    if pages:
        sub(rq, "MaxReturned", str(page_size))
    sub(rq, "ActiveStatus", "All")
    return rq


def list_read(kind: str, full_name: str, request_id: str) -> etree._Element:
    rq = request(LIST_QUERY[kind][0], request_id)
    sub(rq, "FullName", full_name)
    return rq


def customer_add(name: str, parent_id: str, request_id: str) -> etree._Element:
    """A customer, or a job when ``parent_id`` names its customer (FullName "Parent:Name")."""
    rq = request("CustomerAddRq", request_id)
    add = sub(rq, "CustomerAdd")
    sub(add, "Name", name)
    if parent_id:
        ref(add, "ParentRef", list_id=parent_id)
    return rq


def vendor_add(name: str, request_id: str) -> etree._Element:
    rq = request("VendorAddRq", request_id)
    add = sub(rq, "VendorAdd")
    sub(add, "Name", name)
    return rq
