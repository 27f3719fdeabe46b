"""Records → Procore JSON (v1.x: integer ids; v2.0: string ids). Money is a decimal string."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.procore.records import (
    ChangeOrder,
    ChangeOrderLine,
    Commitment,
    CostCode,
    Hook,
    LineItemType,
    PrimeContract,
    Project,
    SovLine,
    Trigger,
    Vendor,
    WbsCode,
)
from sandbox.procore.store import Store
from sandbox.procore.timeutil import iso

Json = dict[str, Any]


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def number(value: Decimal | None) -> float | None:
    # v1 quantities are JSON numbers (research §2.1: "often floats").
    return None if value is None else float(value)


def project(p: Project, store: Store) -> Json:
    company = store.companies[p.company_id]
    return {
        "id": p.id, "name": p.name, "display_name": f"{p.project_number} - {p.name}".strip(" -"),
        "project_number": p.project_number, "active": p.active, "origin_id": p.origin_id,
        "company": {"id": company.id, "name": company.name},
        "created_at": iso(p.created_at), "updated_at": iso(p.updated_at),
    }  # fmt: skip


def vendor(v: Vendor) -> Json:
    return {
        "id": v.id, "name": v.name, "abbreviated_name": v.name[:10], "is_active": v.is_active,
        "origin_id": v.origin_id, "origin_code": v.origin_code, "origin_data": None,
        "created_at": iso(v.created_at), "updated_at": iso(v.updated_at),
    }  # fmt: skip


def cost_code(c: CostCode) -> Json:
    return {
        "id": c.id, "code": c.code, "full_code": c.full_code, "name": c.name,
        "parent": {"id": c.parent_id} if c.parent_id else None, "origin_id": None,
        "created_at": iso(c.created_at), "updated_at": iso(c.updated_at), "deleted_at": None,
    }  # fmt: skip


def line_item_type(t: LineItemType) -> Json:
    return {
        "id": t.id, "name": t.name, "code": t.code, "base_type": t.base_type,
        "origin_id": None, "origin_data": None,
    }  # fmt: skip


def wbs_code(w: WbsCode, *, v2: bool = False) -> Json:
    return {"id": str(w.id) if v2 else w.id, "flat_code": w.flat_code, "description": w.description}


def commitment(c: Commitment, store: Store, *, with_lines: bool = True) -> Json:
    """v1.0 commitment (research §2.4); the list leaves the SOV lines out, the show has them."""
    v = store.vendors[c.vendor_id]
    body: Json = {
        "id": c.id, "number": c.number, "title": c.title, "description": c.description,
        "status": c.status, "type": c.type, "executed": c.executed, "private": False,
        "vendor": {"id": v.id, "name": v.name, "origin_id": v.origin_id},
        "grand_total": money(sum((line.amount for line in c.lines), Decimal("0"))),
        "contract_date": c.contract_date, "execution_date": c.execution_date,
        "created_at": iso(c.created_at), "updated_at": iso(c.updated_at),
        "deleted_at": iso(c.deleted_at),
    }  # fmt: skip
    if with_lines:
        body["line_items"] = [sov_line_item(line, store) for line in sov_lines(c)]
    return body


def sov_lines(c: Commitment) -> list[SovLine]:
    return sorted(c.lines, key=lambda line: line.position)


def sov_line_item(line: SovLine, store: Store) -> Json:
    """v1.0 commitment line item (schedule of values) with its codes embedded."""
    return {
        "id": line.id, "position": line.position, "description": line.description,
        "amount": money(line.amount), "quantity": number(line.quantity),
        "unit_cost": money(line.unit_cost), "uom": line.uom, "total_amount": money(line.amount),
        "extended_amount": money(line.amount),
        "extended_type": "manual" if line.quantity is None else "calculated",
        "tax_code_id": None, **_codes(line, store),
        "created_at": iso(line.created_at), "updated_at": iso(line.updated_at),
    }  # fmt: skip


def prime_contract(c: PrimeContract) -> Json:
    return {
        "id": c.id, "number": c.number, "title": c.title, "status": c.status,
        "project_id": c.project_id, "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at), "deleted_at": None,
    }  # fmt: skip


def grand_total(order: ChangeOrder) -> Decimal:
    return sum((line.amount for line in order.lines), Decimal("0"))


def change_order(o: ChangeOrder) -> Json:
    """v1.0 commitment/prime change order: no line items on the object (research §2.4)."""
    return {
        "id": o.id, "contract_id": o.contract_id, "batch_id": None,
        "legacy_package_id": o.legacy_package_id, "legacy_request_id": None,
        "number": o.number, "title": o.title, "description": o.description, "status": o.status,
        "executed": o.executed, "paid": False, "signature_required": False, "private": False,
        "revision": 0, "grand_total": money(grand_total(o)), "due_date": o.due_date,
        "reviewed_at": iso(o.reviewed_at), "created_at": iso(o.created_at),
        "updated_at": iso(o.updated_at), "deleted_at": iso(o.deleted_at),
    }  # fmt: skip


def cco_line_item(line: ChangeOrderLine, store: Store) -> Json:
    """v2.0 commitment change order line item: string ids, decimal strings."""
    wbs = store.wbs_codes[line.wbs_code_id]
    return {
        "id": str(line.id), "prime_line_item_id": None, "commitment_line_item_id": None,
        "funding_rule_id": None, "description": line.description, "uom": line.uom,
        "quantity": number(line.quantity), "unit_cost": money(line.unit_cost),
        "amount": money(line.amount),
        "extended_type": "manual" if line.quantity is None else "calculated",
        "wbs_code_id": str(wbs.id), "tax_code_id": None, "position": line.position,
        "wbs_code": wbs_code(wbs, v2=True),
    }  # fmt: skip


def package(o: ChangeOrder, store: Store) -> Json:
    """v1.0 change order package (legacy) with its line items."""
    kind = "PrimeContractChangeOrder" if o.kind == "prime" else "CommitmentContractChangeOrder"
    return {
        "id": o.legacy_package_id, "contract_id": o.contract_id, "number": o.number,
        "title": o.title, "description": o.description, "status": o.status, "type": kind,
        "executed": o.executed, "private": False, "revision": 0, "position": 1,
        "grand_total": money(grand_total(o)), "due_date": o.due_date,
        "reviewed_at": iso(o.reviewed_at), "origin_id": None, "origin_code": None,
        "created_at": iso(o.created_at), "updated_at": iso(o.updated_at),
        "deleted_at": iso(o.deleted_at),
        "line_items": [_package_line(line, o, store) for line in o.lines],
    }  # fmt: skip


def _package_line(line: ChangeOrderLine, o: ChangeOrder, store: Store) -> Json:
    return {
        "id": line.id, "position": line.position, "description": line.description,
        "quantity": number(line.quantity), "uom": line.uom, "unit_cost": money(line.unit_cost),
        "total_amount": money(line.amount), "extended_amount": money(line.amount),
        **_codes(line, store),
        "holder": {"id": o.id, "holder_type": "ChangeOrder"}, "markup_line_items": [],
    }  # fmt: skip


def _codes(line: ChangeOrderLine, store: Store) -> Json:
    """A v1.0 line's cost code, WBS code and line item type, embedded as Procore does."""
    wbs = store.wbs_codes[line.wbs_code_id]
    code = store.cost_codes[wbs.cost_code_id]
    item_type = store.line_item_types[wbs.line_item_type_id]
    return {
        "cost_code": {"id": code.id, "code": code.code, "full_code": code.full_code,
                      "name": code.name},
        "wbs_code": wbs_code(wbs), "line_item_type": line_item_type(item_type),
    }  # fmt: skip


def hook(h: Hook, trigger_count: int) -> Json:
    """v2.0 hook; the Authorization value is redacted to its last 5 characters, as Procore does."""
    headers = {k: "*****" + v[-5:] for k, v in h.destination_headers.items()}
    return {
        "id": str(h.id), "status": h.status, "payload_version": h.payload_version,
        "namespace": h.namespace, "destination_url": h.destination_url,
        "destination_headers": headers, "trigger_count": trigger_count,
        "company_id": str(h.company_id),
        "project_id": str(h.project_id) if h.project_id is not None else None,
        "created_at": iso(h.created_at), "updated_at": iso(h.updated_at), "hook_type": "classic",
    }  # fmt: skip


def trigger(t: Trigger, h: Hook) -> Json:
    return {
        "id": str(t.id), "webhook_hook_id": str(t.hook_id), "resource_name": t.resource_name,
        "event_type": t.event_type, "company_id": str(h.company_id),
        "project_id": str(h.project_id) if h.project_id is not None else None,
    }  # fmt: skip
