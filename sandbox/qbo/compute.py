"""Read-only fields QBO computes on every write; whatever a client sends for them is ignored."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox.qbo.realm import JsonObject, Realm
from sandbox.qbo.schema import LINE_DETAILS, SPECS

CLASSIFICATION = {
    "Bank": "Asset",
    "Accounts Receivable": "Asset",
    "Other Current Asset": "Asset",
    "Fixed Asset": "Asset",
    "Other Asset": "Asset",
    "Accounts Payable": "Liability",
    "Credit Card": "Liability",
    "Other Current Liability": "Liability",
    "Long Term Liability": "Liability",
    "Equity": "Equity",
    "Income": "Revenue",
    "Other Income": "Revenue",
    "Cost of Goods Sold": "Expense",
    "Expense": "Expense",
    "Other Expense": "Expense",
}
_EXPENSE_DETAILS = ("AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail")


def timestamp(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def own_name(entity: str, obj: JsonObject) -> str:
    """The name a reference to this object shows (DisplayName for people, Name otherwise)."""
    return str(obj.get("DisplayName") if entity in ("Customer", "Vendor") else obj.get("Name", ""))


def ref_name(entity: str, obj: JsonObject) -> str:
    return str(obj.get("FullyQualifiedName") or own_name(entity, obj))


def as_decimal(value: Any) -> Decimal:
    """Amounts arrive as Decimal (non-integers) or int (integers) from the JSON parser."""
    return value if isinstance(value, Decimal) else Decimal(value)


def hierarchy(realm: Realm, entity: str, obj: JsonObject) -> tuple[str, int]:
    """FullyQualifiedName ("Parent:Child") and Level (0 at the top) from the ParentRef chain."""
    names = [own_name(entity, obj)]
    parent_ref = obj.get("ParentRef")
    seen: set[str] = set()
    while isinstance(parent_ref, dict) and parent_ref.get("value"):
        parent_id = str(parent_ref["value"])
        parent = realm.get(entity, parent_id)
        if parent is None or parent_id in seen:
            break
        seen.add(parent_id)
        names.append(own_name(entity, parent))
        parent_ref = parent.get("ParentRef")
    return ":".join(reversed(names)), len(names) - 1


def refresh_hierarchy(realm: Realm, entity: str) -> None:
    """Recompute names and levels of every row: a renamed parent renames its descendants."""
    if "FullyQualifiedName" not in SPECS[entity].properties:
        return
    for row in realm.rows(entity):
        row["FullyQualifiedName"], row["Level"] = hierarchy(realm, entity, row)


def _name_ref(realm: Realm, ref: Any, entity: str) -> None:
    if isinstance(ref, dict) and ref.get("value"):
        target = realm.get(entity, str(ref["value"]))
        if target is not None:
            ref["value"] = str(ref["value"])
            ref["name"] = ref_name(entity, target)
            if ref.get("type") == "":  # python-quickbooks sends empty strings; QBO drops them
                del ref["type"]


def fill_ref_names(realm: Realm, entity: str, obj: JsonObject) -> None:
    """The server fills ``name`` on every reference it returns (research §2)."""
    for field, target in SPECS[entity].refs.items():
        if field != "ParentRef":
            _name_ref(realm, obj.get(field), target)
    for line in obj.get("Line") or []:
        detail_type = line.get("DetailType")
        refs = LINE_DETAILS.get(detail_type, ({}, None))[0]
        detail = line.get(detail_type) or {}
        for field, target in refs.items():
            _name_ref(realm, detail.get(field), target)


def finish_name_list(realm: Realm, entity: str, obj: JsonObject) -> None:
    obj.setdefault("Active", True)
    if entity == "Customer":
        obj.setdefault("Job", bool(obj.get("ParentRef")))
        obj.setdefault("BillWithParent", False)
        obj.setdefault("IsProject", False)
        obj.setdefault("Balance", 0)
        obj.setdefault("BalanceWithJobs", 0)
    if entity == "Vendor":
        obj.setdefault("Balance", 0)
    if entity == "Account":
        obj["SubAccount"] = bool(obj.get("ParentRef"))
        obj["Classification"] = CLASSIFICATION.get(str(obj.get("AccountType")), "Expense")
        obj.setdefault("CurrentBalance", 0)
    if entity in ("Class", "Department", "Item"):
        flag = {"Class": "SubClass", "Department": "SubDepartment", "Item": "SubItem"}[entity]
        obj[flag] = bool(obj.get("ParentRef"))
    if "FullyQualifiedName" in SPECS[entity].properties:
        obj["FullyQualifiedName"], obj["Level"] = hierarchy(realm, entity, obj)


def finish_transaction(
    realm: Realm, entity: str, obj: JsonObject, previous: JsonObject | None, now: datetime
) -> None:
    """Line ids, TotalAmt = Σ Amount (exact), Balance, dates and default billable status."""
    old_ids = {str(line.get("Id")) for line in (previous or {}).get("Line") or []}
    next_line = max((int(i) for i in old_ids if i.isdigit()), default=0) + 1
    total = Decimal(0)
    billable_tracking = realm.preferences["VendorAndPurchasesPrefs"].get(
        "BillableExpenseTracking", False
    )
    for position, line in enumerate(obj.get("Line") or [], start=1):
        # Line Id semantics (research §2): a known Id updates that line, anything else is new.
        if str(line.get("Id")) not in old_ids:
            line["Id"] = str(next_line)
            next_line += 1
        line["LineNum"] = position
        total += as_decimal(line.get("Amount", 0))
        detail_type = line.get("DetailType")
        if detail_type in _EXPENSE_DETAILS:
            detail = line[detail_type]
            if "BillableStatus" not in detail:
                has_job = bool(detail.get("CustomerRef"))
                detail["BillableStatus"] = (
                    "Billable" if has_job and billable_tracking else "NotBillable"
                )
    obj["TotalAmt"] = total
    if entity in ("Bill", "Invoice", "VendorCredit", "CreditMemo"):
        obj["Balance"] = total  # what is still owed, or still to be used of a credit
    if entity == "CreditMemo":
        obj["RemainingCredit"] = total
    if entity == "PurchaseOrder":
        obj.setdefault("POStatus", "Open")
    if entity == "Estimate":
        obj.setdefault("TxnStatus", "Pending")
    obj.setdefault("TxnDate", now.date().isoformat())
    if entity in ("Bill", "Invoice"):
        obj.setdefault("DueDate", obj["TxnDate"])
    obj.setdefault("CurrencyRef", {"value": "USD", "name": "United States Dollar"})


def stamp(obj: JsonObject, previous: JsonObject | None, now: datetime) -> None:
    """``domain``, ``sparse`` and ``MetaData``; CreateTime survives every update."""
    created = (previous or {}).get("MetaData", {}).get("CreateTime") or timestamp(now)
    obj["MetaData"] = {"CreateTime": created, "LastUpdatedTime": timestamp(now)}
    obj["domain"] = "QBO"
    obj["sparse"] = False
