"""Procore JSON → canonical documents. Pure: no I/O, no clock; money via ``Decimal`` only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sync.errors import FatalError
from sync.models import (
    CostCode,
    CostType,
    DocumentKind,
    PartyRef,
    ProjectRef,
    SourceDocument,
    SourceLine,
)

Json = Mapping[str, Any]


def _contract_error(message: str) -> FatalError:
    return FatalError(
        f"Procore returned an unexpected shape: {message}", system="procore", code="shape"
    )


def money(value: object, field: str) -> Decimal:
    """A decimal string (or integer) as ``Decimal``; floats are refused, never rounded."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise _contract_error(f"{field} is {value!r}, not a decimal string")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise _contract_error(f"{field} is {value!r}, not a decimal") from None
    if not result.is_finite():
        raise _contract_error(f"{field} is {value!r}, not a finite decimal")
    return result


def optional_money(value: object, field: str) -> Decimal | None:
    return None if value is None or value == "" else money(value, field)


def text(value: object) -> str:
    return "" if value is None else str(value)


def timestamp(value: object, field: str) -> datetime:
    if not isinstance(value, str):
        raise _contract_error(f"{field} is {value!r}, not a timestamp")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _contract_error(f"{field} is {value!r}, not a timestamp") from None


def _id(data: Json, field: str = "id") -> str:
    value = data.get(field)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise _contract_error(f"{field} is {value!r}")
    return str(value)


def project_ref(project: Json) -> ProjectRef:
    return ProjectRef(
        id=_id(project), name=text(project.get("name")), number=text(project.get("project_number"))
    )


def party_ref(vendor: Json) -> PartyRef:
    return PartyRef(
        id=_id(vendor), name=text(vendor.get("name")), code=text(vendor.get("origin_code"))
    )


def cost_code(data: Json) -> CostCode:
    """``code`` is the full code (with parent tiers), as the canonical model wants."""
    return CostCode(
        id=_id(data),
        code=text(data.get("full_code") or data.get("code")),
        name=text(data.get("name")),
    )


def cost_type(data: Json) -> CostType:
    return CostType(
        id=_id(data),
        name=text(data.get("name")),
        code=text(data.get("code")),
        base_type=text(data.get("base_type")),
    )


def split_flat_code(flat_code: str) -> tuple[str, str]:
    """``[sub job.]<cost code>.<line item type code>`` → (cost code, type code)."""
    parts = flat_code.split(".")
    if len(parts) < 2 or not parts[-1] or not parts[-2]:
        raise _contract_error(f"WBS flat_code {flat_code!r} has no cost code and cost type")
    return parts[-2], parts[-1]


def flat_code(item: Json) -> str:
    """The line's WBS flat code, "" when it has none."""
    wbs = item.get("wbs_code")
    return text(wbs.get("flat_code")) if isinstance(wbs, Mapping) else ""


def _wbs_codes(
    item: Json, cost_codes: Mapping[str, CostCode], cost_types: Mapping[str, CostType]
) -> tuple[CostCode, CostType]:
    code_text, type_code = split_flat_code(flat_code(item))
    # A code missing from the project's lists keeps its text so a human sees what Procore said.
    code = cost_codes.get(code_text) or CostCode(id="", code=code_text)
    kind = cost_types.get(type_code) or CostType(id="", name=type_code, code=type_code)
    return code, kind


def _embedded_codes(item: Json) -> tuple[CostCode | None, CostType | None]:
    code_data, type_data = item.get("cost_code"), item.get("line_item_type")
    return (
        cost_code(code_data) if code_data else None,
        cost_type(type_data) if type_data else None,
    )


def _amount_field(item: Json) -> str:
    return next((f for f in ("amount", "total_amount", "extended_amount") if f in item), "amount")


def commitment_line(
    item: Json,
    index: int,
    cost_codes: Mapping[str, CostCode],
    cost_types: Mapping[str, CostType],
) -> SourceLine:
    """A v2.0 CCO line item; cost code and type come from its WBS code's flat code."""
    code, kind = _wbs_codes(item, cost_codes, cost_types)
    return _line(item, index, "amount", code, kind)


def package_line(item: Json, index: int) -> SourceLine:
    """A legacy change order package line item with embedded cost code and line item type."""
    code, kind = _embedded_codes(item)
    return _line(item, index, _amount_field(item), code, kind)


def sov_line(
    item: Json,
    index: int,
    cost_codes: Mapping[str, CostCode],
    cost_types: Mapping[str, CostType],
) -> SourceLine:
    """A commitment's schedule of values line item.

    Its WBS code decides cost code and type, as for CCO lines (it names the budget line the
    cost lands on); a line without one falls back to its embedded cost code and line item type.
    """
    codes: tuple[CostCode | None, CostType | None] = (
        _wbs_codes(item, cost_codes, cost_types) if flat_code(item) else _embedded_codes(item)
    )
    return _line(item, index, _amount_field(item), *codes)


def _line(
    item: Json, index: int, amount_field: str, code: CostCode | None, kind: CostType | None
) -> SourceLine:
    position = item.get("position")
    return SourceLine(
        id=_id(item),
        position=position
        if isinstance(position, int) and not isinstance(position, bool)
        else index,
        description=text(item.get("description")),
        amount=money(item.get(amount_field), amount_field),
        quantity=optional_money(item.get("quantity"), "quantity"),
        unit_cost=optional_money(item.get("unit_cost"), "unit_cost"),
        uom=text(item.get("uom")),
        cost_code=code,
        cost_type=kind,
    )


def _document_date(order: Json) -> date | None:
    # The review (approval) date is the date of the business event; creation as a fallback.
    for field in ("reviewed_at", "created_at"):
        if order.get(field):
            return timestamp(order[field], field).date()
    return None


def change_order(
    kind: DocumentKind,
    order: Json,
    lines: Sequence[SourceLine],
    project: ProjectRef,
    vendor: PartyRef | None,
    url: str,
    contract_number: str = "",
) -> SourceDocument:
    """A v1.0 commitment or prime change order with its lines, as one canonical version."""
    status = text(order.get("status")).lower()
    return SourceDocument(
        kind=kind,
        id=_id(order),
        number=text(order.get("number")),
        title=text(order.get("title")),
        description=text(order.get("description")),
        status=status,
        approved=status == "approved",
        deleted=bool(order.get("deleted_at")),
        project=project,
        vendor=vendor,
        contract_id=text(order.get("contract_id")),
        contract_number=contract_number,
        document_date=_document_date(order),
        updated_at=timestamp(order.get("updated_at"), "updated_at"),
        lines=tuple(sorted(lines, key=lambda line: line.position)),
        url=url,
    )


def change_order_url(app_base: str, project_id: str, package_id: object) -> str:
    """Where a person opens the change order: its legacy package page in the Procore web app."""
    if package_id is None:
        return f"{app_base.rstrip('/')}/{project_id}/project/home"
    return f"{app_base.rstrip('/')}/{project_id}/project/change_order_packages/{package_id}"


# Procore's statuses of a commitment in force (WO: Approved, Complete; PO: Approved, Partially
# Received, Received, Closed): an obligation to the vendor. Draft, bidding, signature,
# processing and submitted ones are not yet; terminated and void ones are no longer.
APPROVED_COMMITMENT_STATUSES = frozenset(
    {"approved", "complete", "partially received", "received", "closed"}
)
_COMMITMENT_PAGES = {
    "WorkOrderContract": "work_order_contracts",
    "PurchaseOrderContract": "purchase_order_contracts",
}


def _day(value: object, field: str) -> date:
    """A Procore date (``YYYY-MM-DD``); a full timestamp is accepted for its date."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return timestamp(value, field).date()


def _commitment_date(data: Json) -> date | None:
    # The contract's own date; its execution date when it has none.
    for field in ("contract_date", "execution_date"):
        if data.get(field):
            return _day(data[field], field)
    return None


def commitment(
    data: Json,
    lines: Sequence[SourceLine],
    project: ProjectRef,
    vendor: PartyRef | None,
    url: str,
) -> SourceDocument:
    """A v1.0 commitment (work order or purchase order contract) with its SOV lines."""
    status = text(data.get("status")).lower()
    return SourceDocument(
        kind=DocumentKind.COMMITMENT,
        id=_id(data),
        number=text(data.get("number")),
        title=text(data.get("title")),
        description=text(data.get("description")),
        status=status,
        approved=status in APPROVED_COMMITMENT_STATUSES,
        deleted=bool(data.get("deleted_at")),
        project=project,
        vendor=vendor,
        document_date=_commitment_date(data),
        updated_at=timestamp(data.get("updated_at"), "updated_at"),
        lines=tuple(sorted(lines, key=lambda line: line.position)),
        url=url,
    )


def commitment_url(app_base: str, project_id: str, data: Json) -> str:
    """Where a person opens the commitment: its page under the project's Commitments tool."""
    base = f"{app_base.rstrip('/')}/{project_id}/project/commitments"
    page = _COMMITMENT_PAGES.get(text(data.get("type")))
    return base if page is None else f"{base}/{page}/{text(data.get('id'))}"
