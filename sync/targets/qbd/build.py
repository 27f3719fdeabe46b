"""Build the Desktop target document from a mapped document. Pure: no I/O, no qbXML yet.

The body is plain JSON (ids, fitted text, amounts as strings): the queue stores it, and the
qbXML (Add, Mod or a look-up query) is rendered from it when the Web Connector asks, because
only then is it known which of the three is right.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.errors import AttentionReason, NeedsHumanError
from sync.models import MappedDocument, MappedLine, TargetDocument, TargetKind
from sync.targets.qbd.text import fit, fit_number

MARKER_PREFIX = "costbridge:"
MEMO_MAX = 4095
DESC_MAX = 4095
# RefNumber lengths from qbxml130.xsd: 11 on purchase orders, invoices, estimates and credit
# memos; 20 on bills and vendor credits.
REF_NUMBER_MAX = {
    TargetKind.PURCHASE_ORDER: 11,
    TargetKind.INVOICE: 11,
    TargetKind.ESTIMATE: 11,
    TargetKind.BILL: 20,
    TargetKind.VENDOR_CREDIT: 20,
    TargetKind.CREDIT_MEMO: 11,
}
PURCHASE_KINDS = (TargetKind.PURCHASE_ORDER, TargetKind.BILL, TargetKind.VENDOR_CREDIT)
CENT = Decimal("0.01")


def marker(key: str) -> str:
    return f"{MARKER_PREFIX}{key}"


def money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def _fits_five_places(value: Decimal) -> bool:
    exponent = value.normalize().as_tuple().exponent
    return not isinstance(exponent, int) or exponent >= -5


def _plain(value: Decimal) -> str:
    """Fixed-point, no exponent, no trailing zeros: "70", "4612.5" (never "7E+1")."""
    text = format(value.normalize(), "f")
    return text if text not in ("-0", "") else "0"


def _qty_rate(line: MappedLine) -> dict[str, str]:
    """Quantity and rate only when they give the amount exactly (QuickBooks recomputes it)."""
    qty, rate = line.quantity, line.unit_cost
    if qty is None or rate is None or qty * rate != line.amount:
        return {}
    if not (_fits_five_places(qty) and _fits_five_places(rate)):
        return {}
    return {"quantity": _plain(qty), "rate": _plain(rate)}


def _unmapped(line: MappedLine, what: str) -> NeedsHumanError:
    message = f"Line {line.source_line_id} ({line.description or 'no description'}) has no {what}."
    return NeedsHumanError(
        message,
        reasons=[AttentionReason(kind="unmapped", message=message, line_id=line.source_line_id)],
    )


def _line(line: MappedLine, kind: TargetKind, job: str, warnings: list[str]) -> dict[str, Any]:
    customer = line.customer.id if line.customer else job
    out: dict[str, Any] = {
        "key": line.source_line_id,  # which source line it is (sparse Mods, line ids)
        "amount": money(line.amount),
        "desc": fit(
            line.description, DESC_MAX, f"line {line.source_line_id} description", warnings
        ),
        "account": line.account.id if line.account else "",
        "item": line.item.id if line.item else "",
        "class": line.class_ref.id if line.class_ref else "",
        "customer": customer if kind in PURCHASE_KINDS else "",
        "billable": line.billable,
        **_qty_rate(line),
    }
    if kind in PURCHASE_KINDS and not (out["account"] or out["item"]):
        raise _unmapped(line, "account or item")
    if kind not in PURCHASE_KINDS and not out["item"]:
        raise _unmapped(line, "item")
    return out


def _party(kind: TargetKind, mapped: MappedDocument) -> str:
    if kind in PURCHASE_KINDS:
        if mapped.vendor is None:
            message = "The vendor is not linked to a QuickBooks vendor."
            raise NeedsHumanError(
                message, reasons=[AttentionReason(kind="vendor_not_linked", message=message)]
            )
        return mapped.vendor.id
    if mapped.customer is None:
        message = "The project is not linked to a QuickBooks customer:job."
        raise NeedsHumanError(
            message, reasons=[AttentionReason(kind="project_not_linked", message=message)]
        )
    return mapped.customer.id


def build_document(mapped: MappedDocument, kind: TargetKind, key: str) -> TargetDocument:
    """One Desktop transaction per document; one line per mapped line, each with its
    account (purchase side) and customer:job, fitted to QuickBooks' lengths and Latin-1."""
    if not mapped.lines:
        raise NeedsHumanError("The document has no lines to post.")
    warnings: list[str] = []
    source = mapped.source
    number = fit_number(mapped.reference_number, REF_NUMBER_MAX[kind], "RefNumber", warnings)
    tag = marker(key)
    label = source.kind.value.replace("_", " ")
    heading = f"{source.source.title()} {label} {source.number}: {source.title}".strip(": ")
    text = " - ".join(part for part in (heading, " ".join(source.description.split())) if part)
    # The marker is how a lost write is recognised later: it must survive any cut.
    heading = fit(text, MEMO_MAX - len(tag) - 3, "Memo", warnings, ellipsis=True)
    job = mapped.customer.id if mapped.customer else ""
    body: dict[str, Any] = {
        "party": _party(kind, mapped),
        "txn_date": source.document_date.isoformat() if source.document_date else "",
        "ref_number": number,
        "memo": f"{heading} [{tag}]",
        "lines": [_line(line, kind, job, warnings) for line in mapped.lines],
        "total": money(mapped.total),
    }
    return TargetDocument(
        kind=kind,
        doc_number=number,
        marker=tag,
        body=body,
        notes=tuple(warnings),
        line_keys=tuple(line.source_line_id for line in mapped.lines),
    )
