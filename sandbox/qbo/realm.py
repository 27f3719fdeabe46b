"""One company's data: entities by id, preferences, emulator-only settings, the replay store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sandbox.qbo.schema import ALL_ENTITIES

JsonObject = dict[str, Any]


def default_preferences() -> JsonObject:
    """The preference flags the sync reads at connect time (research §3.12)."""
    return {
        "AccountingInfoPrefs": {
            "TrackDepartments": True,
            "DepartmentTerminology": "Location",
            "ClassTrackingPerTxn": False,
            "ClassTrackingPerTxnLine": True,
            "CustomerTerminology": "Customers",
        },
        "SalesFormsPrefs": {"CustomTxnNumbers": True},
        "VendorAndPurchasesPrefs": {"BillableExpenseTracking": True, "TrackingByCustomer": True},
        "CurrencyPrefs": {"MultiCurrencyEnabled": False},
        "OtherPrefs": {"NameValue": [{"Name": "ProjectsEnabled", "Value": "true"}]},
    }


@dataclass
class RealmSettings:
    """Company settings the API cannot see (QBO UI only), so tests set them here."""

    # "Warn if duplicate check/bill number is used" (research §6.2): on by default in tests.
    warn_duplicate_docnum: bool = True
    # Not documented precisely: per transaction type, or per type and vendor/customer.
    duplicate_docnum_scope: Literal["txn_type", "txn_type_party"] = "txn_type"


@dataclass(frozen=True)
class ReplayEntry:
    status: int
    body: bytes
    stored_at: datetime


@dataclass
class Realm:
    realm_id: str
    company_name: str
    entities: dict[str, dict[str, JsonObject]] = field(
        default_factory=lambda: {name: {} for name in ALL_ENTITIES}
    )
    preferences: JsonObject = field(default_factory=default_preferences)
    settings: RealmSettings = field(default_factory=RealmSettings)
    replay: dict[str, ReplayEntry] = field(default_factory=dict)
    # one counter for the whole company keeps ids unique across entities, as QBO's look
    next_id: int = 1

    def new_id(self) -> str:
        value = str(self.next_id)
        self.next_id += 1
        return value

    def get(self, entity: str, entity_id: str) -> JsonObject | None:
        return self.entities[entity].get(str(entity_id))

    def rows(self, entity: str) -> list[JsonObject]:
        return list(self.entities[entity].values())

    def book_close_date(self) -> str | None:
        value = self.preferences.get("AccountingInfoPrefs", {}).get("BookCloseDate")
        return str(value) if value else None
