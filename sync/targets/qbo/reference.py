"""QBO name-list rows → the engine's ReferenceRecord."""

from __future__ import annotations

from typing import Any

from sync.models import ReferenceKind, ReferenceRecord

ENTITY_OF: dict[ReferenceKind, str] = {
    ReferenceKind.ACCOUNT: "Account",
    ReferenceKind.VENDOR: "Vendor",
    ReferenceKind.CUSTOMER: "Customer",
    ReferenceKind.ITEM: "Item",
    ReferenceKind.CLASS: "Class",
    ReferenceKind.DEPARTMENT: "Department",
}


def to_record(kind: ReferenceKind, row: dict[str, Any]) -> ReferenceRecord:
    parent = row.get("ParentRef")
    name = row.get("FullyQualifiedName") or row.get("DisplayName") or row.get("Name") or ""
    type_field = {"account": "AccountType", "item": "Type"}.get(kind.value, "")
    return ReferenceRecord(
        kind=kind,
        id=str(row["Id"]),
        name=str(name),
        number=str(row.get("AcctNum") or ""),
        type=str(row.get(type_field) or "") if type_field else "",
        active=row.get("Active") is not False,
        parent_id=str(parent.get("value", "")) if isinstance(parent, dict) else "",
    )
