"""Business rules QBO enforces on writes, each raising the exact fault code of research §6.3."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.qbo.compute import hierarchy, own_name
from sandbox.qbo.errors import DUPLICATE_NAME_DETAIL, INACTIVE_DETAIL, QboFault
from sandbox.qbo.realm import JsonObject, Realm
from sandbox.qbo.schema import ALLOWED_LINES, LINE_DETAILS, SPECS

MAX_LENGTHS = {"DocNumber": 21, "PrivateNote": 4000, "DisplayName": 500, "Name": 100}
BILLABLE = ("Billable", "NotBillable")
# 6240 is checked across these together: one DisplayName namespace for people.
PEOPLE = ("Customer", "Vendor")


def required(field: str) -> QboFault:
    return QboFault("2020", f"Required parameter {field} is missing in the request", element=field)


def check_properties(entity: str, obj: JsonObject) -> None:
    for key in obj:
        if key not in SPECS[entity].properties:
            raise QboFault(
                "2010", f"Property Name:{key} specified is unsupported or invalid", element=key
            )


def check_lengths(obj: JsonObject) -> None:
    for field, limit in MAX_LENGTHS.items():
        value = obj.get(field)
        if isinstance(value, str) and len(value) > limit:
            raise QboFault(
                "2050",
                f"String length specified does not match the supported length. "
                f"Min:0 Max:{limit} supported. Supplied length:{len(value)}",
                element=field,
            )


def check_required(entity: str, obj: JsonObject) -> None:
    for field in SPECS[entity].required:
        if obj.get(field) in (None, "", [], {}):
            raise required(field)


def _duplicate_name(realm: Realm, entities: tuple[str, ...], name: str, self_id: str) -> bool:
    wanted = name.strip().lower()
    return any(
        row["Id"] != self_id and str(row.get(key, "")).strip().lower() == wanted
        for entity in entities
        for row in realm.rows(entity)
        for key in ("FullyQualifiedName" if entity not in PEOPLE else "DisplayName",)
    )


def check_name_list(realm: Realm, entity: str, obj: JsonObject, self_id: str) -> None:
    """Names: present, without ':' (it separates hierarchy levels), and unique (6240)."""
    field = "DisplayName" if entity in PEOPLE else "Name"
    name = obj.get(field)
    if entity in PEOPLE and not name:
        parts = [obj.get(p) for p in ("GivenName", "FamilyName") if obj.get(p)]
        if not parts:
            raise required("DisplayName")
        name = obj[field] = " ".join(str(p) for p in parts)
    if not name:
        raise required(field)
    if ":" in str(name) or (entity == "Account" and '"' in str(name)):
        raise QboFault(
            "6000", f"Business Validation Error: {field} cannot contain ':'", element=field
        )
    if entity == "Account" and not (obj.get("AccountType") or obj.get("AccountSubType")):
        raise QboFault(
            "6010", "Invalid Account.AccountType && Account.SubType", element="AccountType"
        )
    if entity == "Item":
        if obj.get("Type") not in ("Service", "NonInventory", "Inventory", "Category"):
            raise required("Type")
        if obj["Type"] in ("Service", "Inventory") and not obj.get("IncomeAccountRef"):
            raise required("IncomeAccountRef")
    if entity == "Customer" and obj.get("Job") and not obj.get("ParentRef"):
        raise required("ParentRef")
    scope = PEOPLE if entity in PEOPLE else (entity,)
    candidate = dict(obj, Id=self_id)
    key = str(name) if entity in PEOPLE else hierarchy(realm, entity, candidate)[0]
    if _duplicate_name(realm, scope, key, self_id):
        raise QboFault("6240", f"{DUPLICATE_NAME_DETAIL} : Id={self_id or 'new'}", element=field)


def _check_ref(
    realm: Realm, field: str, ref: Any, target: str, hidden: set[tuple[str, str]]
) -> None:
    if ref is None:
        return
    if not isinstance(ref, dict) or not ref.get("value"):
        raise required(f"{field}.value")
    value = str(ref["value"])
    # objects created earlier in the same batch are invisible to later items (research §5)
    row = None if (target, value) in hidden else realm.get(target, value)
    if row is None:
        raise QboFault(
            "2500", f"Invalid Reference Id : {target} element id {value} not found", element=field
        )
    if row.get("Active") is False:
        raise QboFault(
            "610", f"{INACTIVE_DETAIL} {target} {own_name(target, row)!r}", element=field
        )


def check_refs(realm: Realm, entity: str, obj: JsonObject, hidden: set[tuple[str, str]]) -> None:
    """Every reference must point at an existing (2500), active (610) object."""
    for field, target in SPECS[entity].refs.items():
        _check_ref(realm, field, obj.get(field), target, hidden)
    for line in obj.get("Line") or []:
        detail_type = line.get("DetailType")
        refs = LINE_DETAILS.get(detail_type, ({}, None))[0]
        detail = line.get(detail_type) or {}
        for field, target in refs.items():
            _check_ref(realm, field, detail.get(field), target, hidden)


def check_lines(entity: str, obj: JsonObject) -> None:
    """Line shape: a known detail type with its detail object, its required ref, an amount."""
    lines = obj.get("Line")
    if not isinstance(lines, list) or not lines:
        raise required("Line")
    for line in lines:
        if not isinstance(line, dict):
            raise QboFault("2010", "Line must be an object", element="Line")
        detail_type = line.get("DetailType")
        if not detail_type:
            raise required("Line.DetailType")
        if detail_type not in ALLOWED_LINES[entity]:
            raise QboFault(
                "2010",
                f"Property Name:DetailType={detail_type} is unsupported on {entity}",
                element="Line.DetailType",
            )
        detail = line.get(detail_type)
        needed = LINE_DETAILS[detail_type][1]
        if needed is not None and not isinstance(detail, dict):
            raise required(f"Line.{detail_type}")
        if needed is not None and not (detail or {}).get(needed):
            raise required(needed)
        status = (detail or {}).get("BillableStatus")
        if status is not None and status not in BILLABLE:
            raise QboFault(
                "2170",
                f"Invalid Enumeration : {status} for BillableStatus",
                element="BillableStatus",
            )
        amount = line.get("Amount")
        if detail_type != "DescriptionOnly" and (
            isinstance(amount, bool) or not isinstance(amount, int | Decimal)
        ):
            raise QboFault("6000", "Business Validation Error: You must set a transaction amount.")


def _party(obj: JsonObject) -> str:
    ref = obj.get("VendorRef") or obj.get("CustomerRef") or {}
    return str(ref.get("value", "")) if isinstance(ref, dict) else ""


def check_doc_number(realm: Realm, entity: str, obj: JsonObject, self_id: str) -> None:
    """6140 when the company warns on duplicate numbers (research §6.2)."""
    number = obj.get("DocNumber")
    if not number or not realm.settings.warn_duplicate_docnum:
        return
    per_party = realm.settings.duplicate_docnum_scope == "txn_type_party"
    for row in realm.rows(entity):
        if row["Id"] == self_id or str(row.get("DocNumber", "")) != str(number):
            continue
        if per_party and _party(row) != _party(obj):
            continue
        raise QboFault(
            "6140",
            "Duplicate Document Number Error : You must specify a different number. This number "
            f"has already been used. DocNumber={number} is assigned to TxnType={entity} "
            f"with TxnId={row['Id']}",
            element="DocNumber",
        )


def check_books_open(realm: Realm, *txn_dates: object) -> None:
    """6210 for a transaction dated on or before the closing date (new date or old one)."""
    closed = realm.book_close_date()
    for txn_date in txn_dates:
        if closed and isinstance(txn_date, str) and txn_date <= closed:
            raise QboFault(
                "6210",
                f"Account Period Closed, Cannot update transactions in a closed period. "
                f"The books are closed through {closed}; TxnDate {txn_date} is in that period.",
                element="TxnDate",
            )


def check_total(entity: str, obj: JsonObject) -> None:
    """No transaction may total below zero (research §11.2: negative lines are fine while the
    total stays ≥ 0); money taken back is a credit (VendorCredit, CreditMemo) with positive
    lines. The same 6000 for every transaction type; a total of zero is accepted."""
    total = sum(
        (
            line["Amount"]
            for line in obj.get("Line") or []
            if isinstance(line.get("Amount"), int | Decimal)
            and not isinstance(line.get("Amount"), bool)
            and line.get("DetailType") != "SubTotalLineDetail"
        ),
        Decimal(0),
    )
    if total < 0:
        raise QboFault(
            "6000",
            f"Business Validation Error: Transaction amount must be positive. The {entity} "
            f"totals {total}; enter money taken back as a credit.",
            element="Line.Amount",
        )
