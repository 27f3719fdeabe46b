"""Build the QBO JSON for a mapped document. Pure: no I/O, same input → same output.

Amounts stay ``Decimal`` inside the body; the client writes them as exact JSON numbers.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from sync.errors import AttentionReason, NeedsHumanError
from sync.models import MappedDocument, MappedLine, TargetDocument, TargetKind, TargetRef

MARKER_PREFIX = "costbridge:"
DOC_NUMBER_MAX = 21
PRIVATE_NOTE_MAX = 4000
DESCRIPTION_MAX = 4000
# Vendor documents: expense lines by account or item, each tagged to its customer:job.
PURCHASE_KINDS = (TargetKind.PURCHASE_ORDER, TargetKind.BILL, TargetKind.VENDOR_CREDIT)
ELLIPSIS = "…"  # a cut is visible in QuickBooks, never silent


def marker(key: str) -> str:
    return f"{MARKER_PREFIX}{key}"


def doc_number(source_number: str) -> str:
    """The source number when it fits QBO's 21 characters; otherwise a prefix plus a short
    hash of the whole number, so two long numbers never collapse into one."""
    number = " ".join(source_number.split())
    if len(number) <= DOC_NUMBER_MAX:
        return number
    digest = hashlib.sha256(number.encode()).hexdigest()[:6]
    return f"{number[: DOC_NUMBER_MAX - 7]}~{digest}"


def _ref(ref: TargetRef) -> dict[str, str]:
    return {"value": ref.id}


def _private_note(mapped: MappedDocument, key: str, notes: list[str]) -> str:
    """The heading (source, kind, number, title), the description, then the marker."""
    source = mapped.source
    label = source.kind.value.replace("_", " ")
    heading = f"{source.source.title()} {label} {source.number}: {source.title}".strip(": ")
    text = "\n".join(part for part in (heading, source.description.strip()) if part)
    tag = marker(key)
    # the marker is how find() recognises the document: it must survive any cut
    room = PRIVATE_NOTE_MAX - len(tag) - 1
    if len(text) > room:
        notes.append(
            f"PrivateNote: cut to {PRIVATE_NOTE_MAX} characters (QuickBooks' limit); "
            f"the heading and description were {len(text)}"
        )
        text = text[: room - 1] + ELLIPSIS
    return f"{text}\n{tag}"


def _unmapped(line: MappedLine, what: str) -> NeedsHumanError:
    message = f"Line {line.source_line_id} ({line.description or 'no description'}) has no {what}."
    return NeedsHumanError(
        message,
        reasons=[AttentionReason(kind="unmapped", message=message, line_id=line.source_line_id)],
    )


def _billable(line: MappedLine) -> dict[str, str]:
    if line.billable is None:
        return {}
    return {"BillableStatus": "Billable" if line.billable else "NotBillable"}


def _qty_price(line: MappedLine) -> dict[str, Decimal]:
    """Qty and UnitPrice only when they explain the amount exactly; QBO checks the product."""
    if line.quantity is None or line.unit_cost is None:
        return {}
    if line.quantity * line.unit_cost != line.amount:
        return {}
    return {"Qty": line.quantity, "UnitPrice": line.unit_cost}


def _base_line(line: MappedLine) -> dict[str, Any]:
    out: dict[str, Any] = {"Amount": line.amount}
    if line.description:
        out["Description"] = line.description[:DESCRIPTION_MAX]
    return out


def _expense_line(line: MappedLine, job: TargetRef | None) -> dict[str, Any]:
    customer = line.customer or job
    detail: dict[str, Any] = {}
    if line.account is not None:
        detail_type = "AccountBasedExpenseLineDetail"
        detail["AccountRef"] = _ref(line.account)
    elif line.item is not None:
        detail_type = "ItemBasedExpenseLineDetail"
        detail["ItemRef"] = _ref(line.item)
        detail.update(_qty_price(line))
    else:
        raise _unmapped(line, "account or item")
    if customer is not None:
        detail["CustomerRef"] = _ref(customer)
    if line.class_ref is not None:
        detail["ClassRef"] = _ref(line.class_ref)
    detail.update(_billable(line))
    if line.tax_code:
        detail["TaxCodeRef"] = {"value": line.tax_code}
    return {**_base_line(line), "DetailType": detail_type, detail_type: detail}


def _sales_line(line: MappedLine) -> dict[str, Any]:
    if line.item is None:
        raise _unmapped(line, "product/service item")
    detail: dict[str, Any] = {"ItemRef": _ref(line.item), **_qty_price(line)}
    if line.class_ref is not None:
        detail["ClassRef"] = _ref(line.class_ref)
    if line.tax_code:
        detail["TaxCodeRef"] = {"value": line.tax_code}
    return {**_base_line(line), "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": detail}


def _party(kind: TargetKind, mapped: MappedDocument) -> dict[str, Any]:
    if kind in PURCHASE_KINDS:
        if mapped.vendor is None:
            message = "The vendor is not linked to a QuickBooks vendor."
            raise NeedsHumanError(
                message, reasons=[AttentionReason(kind="vendor_not_linked", message=message)]
            )
        return {"VendorRef": _ref(mapped.vendor)}
    if mapped.customer is None:
        message = "The project is not linked to a QuickBooks customer:job."
        raise NeedsHumanError(
            message, reasons=[AttentionReason(kind="project_not_linked", message=message)]
        )
    return {"CustomerRef": _ref(mapped.customer)}


def build_document(mapped: MappedDocument, kind: TargetKind, key: str) -> TargetDocument:
    """PurchaseOrder / Bill / VendorCredit: one expense line per mapped line, each tagged to
    its customer:job. Invoice / Estimate / CreditMemo: one SalesItemLineDetail line per mapped
    line, to the customer:job. A credit arrives with its lines already turned positive
    (``sync.engine.credits``); amounts are written as they come, exact."""
    if not mapped.lines:
        raise NeedsHumanError("The document has no lines to post.")
    notes: list[str] = []
    number = doc_number(mapped.reference_number)
    if number != " ".join(mapped.reference_number.split()):
        notes.append(
            f"DocNumber: '{mapped.reference_number}' is longer than "
            f"{DOC_NUMBER_MAX} characters; sent as '{number}'"
        )
    body: dict[str, Any] = {**_party(kind, mapped), "DocNumber": number}
    if mapped.source.document_date is not None:
        body["TxnDate"] = mapped.source.document_date.isoformat()
    if mapped.department is not None:
        body["DepartmentRef"] = _ref(mapped.department)
    body["PrivateNote"] = _private_note(mapped, key, notes)
    if kind in PURCHASE_KINDS:
        body["Line"] = [_expense_line(line, mapped.customer) for line in mapped.lines]
    else:
        body["Line"] = [_sales_line(line) for line in mapped.lines]
    return TargetDocument(
        kind=kind,
        doc_number=number,
        marker=marker(key),
        body=body,
        notes=tuple(notes),
        line_keys=tuple(line.source_line_id for line in mapped.lines),
    )
