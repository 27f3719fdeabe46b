"""The emulator's whole world: companies (realms), OAuth, fault switches, limits, the clock.

Seeding goes through the same write path as the API, so a seeded object is exactly what a
client-created one would be (names filled, FullyQualifiedName computed, SyncToken "0").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sandbox.clock import Clock, SystemClock
from sandbox.qbo import writes
from sandbox.qbo.auth import AuthState
from sandbox.qbo.faults import FaultSwitches
from sandbox.qbo.limits import Throttle
from sandbox.qbo.realm import JsonObject, Realm


@dataclass(frozen=True)
class CallRecord:
    """One /v3 call as the emulator saw it (tests assert on minorversion and requestid;
    benchmarks count calls by entity, status and batch size)."""

    method: str
    path: str
    minor_version: int
    request_id: str | None
    status: int
    replayed: bool = False
    realm_id: str = ""
    entity: str = ""  # the path segment after the realm, lower-case: "bill", "query", "batch"
    batch: bool = False
    batch_items: int | None = None  # for a batch: how many BatchItemRequest entries it carried
    throttled_by: str | None = None  # for a 429: the limit's name, or "forced" (the switch)


def _ref(value: str | None) -> dict[str, str] | None:
    return {"value": value} if value else None


class QboState:
    def __init__(self, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or SystemClock()
        self.realms: dict[str, Realm] = {}
        self.auth = AuthState()
        self.faults = FaultSwitches()
        self.throttle = Throttle()  # QBO's real limits, off until switched on
        self.latency_ms = 0.0  # added to every API answer (OAuth and /v3), for benchmarks
        self.calls: list[CallRecord] = []

    def now(self) -> datetime:
        return self.clock.now()

    # --- companies and OAuth -----------------------------------------------------------
    def add_realm(self, realm_id: str, company_name: str = "Sandbox Company") -> Realm:
        return self.realms.setdefault(realm_id, Realm(realm_id, company_name))

    def realm(self, realm_id: str) -> Realm:
        return self.realms[realm_id]

    def register_app(self, client_id: str, client_secret: str) -> None:
        self.auth.register_app(client_id, client_secret)

    def issue_refresh_token(self, client_id: str, realm_id: str) -> str:
        """What the authorisation-code flow would hand the app after a user connects."""
        self.add_realm(realm_id)
        return self.auth.issue_refresh_token(client_id, realm_id, self.now())

    # --- seeding -----------------------------------------------------------------------
    def create(self, realm_id: str, entity: str, body: JsonObject) -> JsonObject:
        """Create any entity through the validated write path (raises ``QboFault``)."""
        ctx = writes.WriteContext(self.add_realm(realm_id), self.now())
        return writes.create(ctx, entity, body)

    def save(self, realm_id: str, entity: str, body: JsonObject) -> JsonObject:
        """A person's save in QuickBooks' own window: the validated update path (full, or
        sparse with ``"sparse": true``), with the current ``SyncToken`` (raises ``QboFault``)."""
        ctx = writes.WriteContext(self.realm(realm_id), self.now())
        return writes.update(ctx, entity, body)

    def _seed(self, realm_id: str, entity: str, body: dict[str, Any]) -> str:
        clean = {k: v for k, v in body.items() if v is not None}
        created = self.create(realm_id, entity, clean)
        if body.get("Active") is False:
            # QBO creates objects active; inactivation is a later sparse update
            stored = self.realm(realm_id).entities[entity][created["Id"]]
            stored["Active"] = False
        return str(created["Id"])

    def add_account(
        self,
        realm_id: str,
        name: str,
        account_type: str,
        *,
        sub_type: str | None = None,
        acct_num: str | None = None,
        parent_id: str | None = None,
        active: bool = True,
    ) -> str:
        return self._seed(
            realm_id,
            "Account",
            {
                "Name": name,
                "AccountType": account_type,
                "AccountSubType": sub_type,
                "AcctNum": acct_num,
                "ParentRef": _ref(parent_id),
                "Active": active,
            },
        )

    def add_vendor(self, realm_id: str, display_name: str, *, active: bool = True) -> str:
        return self._seed(realm_id, "Vendor", {"DisplayName": display_name, "Active": active})

    def add_customer(self, realm_id: str, display_name: str, *, active: bool = True) -> str:
        return self._seed(realm_id, "Customer", {"DisplayName": display_name, "Active": active})

    def add_job(
        self, realm_id: str, parent_id: str, display_name: str, *, active: bool = True
    ) -> str:
        """A job (sub-customer): FullyQualifiedName becomes "Parent:Job", Level 1."""
        return self._seed(
            realm_id,
            "Customer",
            {
                "DisplayName": display_name,
                "Job": True,
                "ParentRef": _ref(parent_id),
                "Active": active,
            },
        )

    def add_item(
        self,
        realm_id: str,
        name: str,
        *,
        item_type: str = "Service",
        income_account_id: str | None = None,
        expense_account_id: str | None = None,
        active: bool = True,
    ) -> str:
        return self._seed(
            realm_id,
            "Item",
            {
                "Name": name,
                "Type": item_type,
                "IncomeAccountRef": _ref(income_account_id),
                "ExpenseAccountRef": _ref(expense_account_id),
                "Active": active,
            },
        )

    def add_class(
        self, realm_id: str, name: str, *, parent_id: str | None = None, active: bool = True
    ) -> str:
        return self._seed(
            realm_id, "Class", {"Name": name, "ParentRef": _ref(parent_id), "Active": active}
        )

    def add_department(self, realm_id: str, name: str, *, active: bool = True) -> str:
        return self._seed(realm_id, "Department", {"Name": name, "Active": active})

    def set_preferences(self, realm_id: str, section: str, **values: Any) -> None:
        """e.g. ``set_preferences(realm, "AccountingInfoPrefs", ClassTrackingPerTxnLine=True)``."""
        self.add_realm(realm_id).preferences.setdefault(section, {}).update(values)

    def close_books(self, realm_id: str, through: date) -> None:
        self.set_preferences(realm_id, "AccountingInfoPrefs", BookCloseDate=through.isoformat())
