"""Small builders for mapping tests: lines, documents, rules and reference data."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from mappings.references import EntityLinks, ReferenceIndex
from mappings.rules import Conditions, Outputs, Rule, RuleOrigin
from sync.models import (
    CostCode,
    CostType,
    DocumentKind,
    PartyRef,
    ProjectRef,
    ReferenceKind,
    ReferenceRecord,
    SourceDocument,
    SourceLine,
    TargetRef,
)

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)

COST_TYPES = {
    "Labor": CostType(id="ct-l", name="Labor", code="L", base_type="labor"),
    "Materials": CostType(id="ct-m", name="Materials", code="M", base_type="materials"),
    "Equipment": CostType(id="ct-e", name="Equipment", code="E", base_type="equipment"),
    "Subcontract": CostType(id="ct-s", name="Subcontract", code="S", base_type="commitment"),
    "Field Labor": CostType(id="ct-fl", name="Field Labor", code="FL", base_type="labor"),
}

COST_CODE_NAMES = {
    "03-300": "Cast-in-Place Concrete",
    "03-100": "Concrete Forming",
    "03-310": "Concrete Finishing",
    "05-120": "Structural Steel",
    "06-100": "Rough Carpentry",
    "09-900": "Painting",
    "01-500": "Temporary Facilities",
    "31-200": "Earthwork",
}


def line(
    id: str = "L1",
    *,
    position: int = 1,
    code: str | None = "03-300",
    cost_type: str | None = "Labor",
    amount: str = "100.00",
    description: str = "Work",
    custom: dict[str, str] | None = None,
) -> SourceLine:
    return SourceLine(
        id=id,
        position=position,
        description=description,
        amount=Decimal(amount),
        cost_code=CostCode(id=f"cc-{code}", code=code, name=COST_CODE_NAMES.get(code, ""))
        if code
        else None,
        cost_type=COST_TYPES[cost_type] if cost_type else None,
        custom_fields=custom or {},
    )


def doc(
    *lines: SourceLine,
    id: str = "CO-1",
    kind: DocumentKind = DocumentKind.COMMITMENT_CHANGE_ORDER,
    project: str = "P1",
    vendor: str | None = "V1",
    custom: dict[str, str] | None = None,
    source: str = "procore",
) -> SourceDocument:
    return SourceDocument(
        source=source,
        kind=kind,
        id=id,
        number="007",
        title="Added footings",
        status="approved",
        approved=True,
        project=ProjectRef(id=project, name=f"Project {project}", number="1021"),
        vendor=PartyRef(id=vendor, name="Acme Concrete, Inc.") if vendor else None,
        updated_at=T0,
        lines=lines or (line(),),
        custom_fields=custom or {},
    )


def rule(
    id: int | None,
    *,
    priority: int | None = None,
    active: bool = True,
    author: str = "U123",
    when: datetime = T0,
    **fields: Any,
) -> Rule:
    """``rule(12, cost_code="03-300", account_id="5010")``: condition and output keywords mixed."""
    out_keys = set(Outputs.model_fields)
    cond = {k: v for k, v in fields.items() if k not in out_keys}
    outs = {k: v for k, v in fields.items() if k in out_keys}
    return Rule(
        id=id,
        conditions=Conditions.model_validate(cond),
        outputs=Outputs.model_validate(outs),
        priority=priority,
        active=active,
        author=author,
        origin=RuleOrigin.SLACK,
        created_at=when,
        updated_at=when,
    )


def account(id: str, number: str, name: str, *, active: bool = True) -> ReferenceRecord:
    return ReferenceRecord(
        kind=ReferenceKind.ACCOUNT, id=id, name=name, number=number, active=active
    )


def ref(kind: ReferenceKind, id: str, name: str, *, active: bool = True) -> ReferenceRecord:
    return ReferenceRecord(kind=kind, id=id, name=name, active=active)


# A chart of accounts where account ids equal their numbers, to keep tests readable.
ACCOUNTS = [
    account("5010", "5010", "Subcontract Labor"),
    account("5020", "5020", "Direct Labor"),
    account("5100", "5100", "Concrete Materials"),
    account("5110", "5110", "Materials"),
    account("5200", "5200", "Equipment Rental"),
    account("5300", "5300", "Subcontractors"),
    account("5310", "5310", "Concrete Subcontractors"),
    account("5400", "5400", "Steel Labor"),
    account("5900", "5900", "Old Labor", active=False),
]

OTHER_REFS = [
    ref(ReferenceKind.ITEM, "I1", "Labor:Concrete"),
    ref(ReferenceKind.ITEM, "I2", "Materials"),
    ref(ReferenceKind.ITEM, "I9", "Retired", active=False),
    ref(ReferenceKind.CLASS, "C1", "Labor"),
    ref(ReferenceKind.CLASS, "C2", "Materials"),
    ref(ReferenceKind.CLASS, "C9", "Old class", active=False),
    ref(ReferenceKind.DEPARTMENT, "D1", "North"),
    ref(ReferenceKind.DEPARTMENT, "D2", "South"),
    ref(ReferenceKind.DEPARTMENT, "D9", "Closed branch", active=False),
    ref(ReferenceKind.VENDOR, "QV1", "Acme Concrete"),
    ref(ReferenceKind.VENDOR, "QV9", "Gone Vendor", active=False),
    ref(ReferenceKind.CUSTOMER, "QC1", "Owner LLC:1021 Main St"),
    ref(ReferenceKind.CUSTOMER, "QC9", "Owner LLC:Old job", active=False),
]


def refs() -> ReferenceIndex:
    return ReferenceIndex([*ACCOUNTS, *OTHER_REFS])


def links(**overrides: TargetRef | None) -> EntityLinks:
    vendors = {"V1": TargetRef(id="QV1", name="Acme Concrete")}
    projects = {"P1": TargetRef(id="QC1", name="Owner LLC:1021 Main St")}
    if "vendor" in overrides:
        v = overrides["vendor"]
        vendors = {"V1": v} if v else {}
    if "project" in overrides:
        p = overrides["project"]
        projects = {"P1": p} if p else {}
    return EntityLinks(vendors=vendors, projects=projects)
