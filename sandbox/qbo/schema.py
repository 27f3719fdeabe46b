"""What the emulator knows about each entity: kind, references, known properties.

Property lists are the subset of the XSD (research §3) that the sync and its tests use; they
decide query validation (4001 for an unknown property) and which references get checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NAME_LISTS = ("Account", "Vendor", "Customer", "Item", "Class", "Department")
TRANSACTIONS = ("PurchaseOrder", "Invoice", "Estimate", "Bill", "VendorCredit", "CreditMemo")
ALL_ENTITIES = NAME_LISTS + TRANSACTIONS

# URL segments are the lower-cased entity names (research §1).
BY_URL_NAME = {name.lower(): name for name in ALL_ENTITIES}

_COMMON = ("Id", "SyncToken", "MetaData", "domain", "sparse")
_TXN = (
    "DocNumber",
    "TxnDate",
    "DueDate",
    "PrivateNote",
    "Line",
    "TotalAmt",
    "Balance",
    "DepartmentRef",
    "CurrencyRef",
    "ExchangeRate",
    "LinkedTxn",
    "TxnStatus",
    "TxnTaxDetail",
    "ProjectRef",
    "SalesTermRef",
    "ClassRef",
    "CustomField",
)
_NAME = ("Active", "ParentRef", "FullyQualifiedName", "Level")


@dataclass(frozen=True)
class EntitySpec:
    name: str
    properties: frozenset[str]
    # header reference field -> the entity it points at
    refs: dict[str, str] = field(default_factory=dict)
    # required header fields on create/full update (code 2020)
    required: tuple[str, ...] = ()

    @property
    def is_name_list(self) -> bool:
        return self.name in NAME_LISTS


def _props(*groups: tuple[str, ...]) -> frozenset[str]:
    return frozenset(p for group in groups for p in group)


SPECS: dict[str, EntitySpec] = {
    "Account": EntitySpec(
        "Account",
        _props(
            _COMMON,
            _NAME,
            ("Name", "AcctNum", "AccountType", "AccountSubType", "Classification"),
            ("SubAccount", "Description", "CurrentBalance", "CurrentBalanceWithSubAccounts"),
            ("CurrencyRef",),
        ),
        refs={"ParentRef": "Account"},
    ),
    "Vendor": EntitySpec(
        "Vendor",
        _props(
            _COMMON,
            ("Active", "DisplayName", "CompanyName", "PrintOnCheckName", "GivenName"),
            ("FamilyName", "BillAddr", "TermRef", "APAccountRef", "Vendor1099", "AcctNum"),
            ("Balance", "CurrencyRef", "PrimaryEmailAddr", "PrimaryPhone", "TaxIdentifier"),
        ),
        refs={"APAccountRef": "Account"},
    ),
    "Customer": EntitySpec(
        "Customer",
        _props(
            _COMMON,
            _NAME,
            ("DisplayName", "CompanyName", "GivenName", "FamilyName", "PrintOnCheckName"),
            ("Job", "BillWithParent", "IsProject", "Balance", "BalanceWithJobs", "Notes"),
            ("BillAddr", "ShipAddr", "PrimaryEmailAddr", "PrimaryPhone", "Taxable"),
            ("CurrencyRef", "RootCustomerRef", "SalesTermRef"),
        ),
        refs={"ParentRef": "Customer"},
    ),
    "Item": EntitySpec(
        "Item",
        _props(
            _COMMON,
            _NAME,
            ("Name", "Type", "SubItem", "Description", "PurchaseDesc", "UnitPrice"),
            ("PurchaseCost", "IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef"),
            ("Sku", "Taxable", "TrackQtyOnHand", "QtyOnHand", "InvStartDate", "ClassRef"),
        ),
        refs={
            "ParentRef": "Item",
            "IncomeAccountRef": "Account",
            "ExpenseAccountRef": "Account",
            "AssetAccountRef": "Account",
            "ClassRef": "Class",
        },
        required=("Name",),
    ),
    "Class": EntitySpec(
        "Class", _props(_COMMON, _NAME, ("Name", "SubClass")), refs={"ParentRef": "Class"}
    ),
    "Department": EntitySpec(
        "Department",
        _props(_COMMON, _NAME, ("Name", "SubDepartment", "Address")),
        refs={"ParentRef": "Department"},
    ),
    "PurchaseOrder": EntitySpec(
        "PurchaseOrder",
        _props(_COMMON, _TXN, ("VendorRef", "APAccountRef", "POStatus", "Memo", "ShipAddr")),
        refs={
            "VendorRef": "Vendor",
            "APAccountRef": "Account",
            "DepartmentRef": "Department",
            "ClassRef": "Class",
        },
        required=("VendorRef", "Line"),
    ),
    "Bill": EntitySpec(
        "Bill",
        _props(_COMMON, _TXN, ("VendorRef", "APAccountRef", "HomeBalance")),
        refs={"VendorRef": "Vendor", "APAccountRef": "Account", "DepartmentRef": "Department"},
        required=("VendorRef", "Line"),
    ),
    "VendorCredit": EntitySpec(
        "VendorCredit",
        _props(_COMMON, _TXN, ("VendorRef", "APAccountRef")),
        refs={"VendorRef": "Vendor", "APAccountRef": "Account", "DepartmentRef": "Department"},
        required=("VendorRef", "Line"),
    ),
    "CreditMemo": EntitySpec(
        "CreditMemo",
        _props(
            _COMMON,
            _TXN,
            ("CustomerRef", "CustomerMemo", "BillEmail", "EmailStatus", "PrintStatus"),
            ("ApplyTaxAfterDiscount", "RemainingCredit", "BillAddr", "ShipAddr"),
        ),
        refs={"CustomerRef": "Customer", "DepartmentRef": "Department", "ClassRef": "Class"},
        required=("CustomerRef", "Line"),
    ),
    "Invoice": EntitySpec(
        "Invoice",
        _props(
            _COMMON,
            _TXN,
            ("CustomerRef", "CustomerMemo", "BillEmail", "EmailStatus", "PrintStatus"),
            ("ApplyTaxAfterDiscount", "Deposit", "BillAddr", "ShipAddr"),
        ),
        refs={"CustomerRef": "Customer", "DepartmentRef": "Department", "ClassRef": "Class"},
        required=("CustomerRef", "Line"),
    ),
    "Estimate": EntitySpec(
        "Estimate",
        _props(
            _COMMON,
            _TXN,
            ("CustomerRef", "CustomerMemo", "BillEmail", "EmailStatus", "PrintStatus"),
            ("ExpirationDate", "AcceptedBy", "AcceptedDate", "ApplyTaxAfterDiscount"),
            ("BillAddr", "ShipAddr"),
        ),
        refs={"CustomerRef": "Customer", "DepartmentRef": "Department", "ClassRef": "Class"},
        required=("CustomerRef", "Line"),
    ),
}

# Line detail type -> (references inside the detail, the reference it requires).
LINE_DETAILS: dict[str, tuple[dict[str, str], str | None]] = {
    "AccountBasedExpenseLineDetail": (
        {"AccountRef": "Account", "CustomerRef": "Customer", "ClassRef": "Class"},
        "AccountRef",
    ),
    "ItemBasedExpenseLineDetail": (
        {"ItemRef": "Item", "CustomerRef": "Customer", "ClassRef": "Class"},
        "ItemRef",
    ),
    "SalesItemLineDetail": ({"ItemRef": "Item", "ClassRef": "Class"}, "ItemRef"),
    "DescriptionOnly": ({}, None),
    "SubTotalLineDetail": ({}, None),
}
# Which line details each transaction accepts.
ALLOWED_LINES: dict[str, frozenset[str]] = {
    "PurchaseOrder": frozenset({"AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail"}),
    "Bill": frozenset({"AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail"}),
    "Invoice": frozenset({"SalesItemLineDetail", "DescriptionOnly", "SubTotalLineDetail"}),
    "Estimate": frozenset({"SalesItemLineDetail", "DescriptionOnly", "SubTotalLineDetail"}),
    "VendorCredit": frozenset({"AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail"}),
    "CreditMemo": frozenset({"SalesItemLineDetail", "DescriptionOnly", "SubTotalLineDetail"}),
}

READ_ONLY = frozenset(
    {
        "TotalAmt",
        "Balance",
        "HomeBalance",
        "RemainingCredit",
        "FullyQualifiedName",
        "Level",
        "MetaData",
        "CurrentBalance",
        "CurrentBalanceWithSubAccounts",
        "BalanceWithJobs",
        "Classification",
        "domain",
        "sparse",
        "status",
    }
)
