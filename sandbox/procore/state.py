"""``ProcoreState``: the emulated company, its change orders, its hooks and what they emit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import httpx

from sandbox.clock import Clock
from sandbox.procore.hookstore import HookStore
from sandbox.procore.payloads import ChangeEvent, new_ulid
from sandbox.procore.ratelimit import Faults, RateLimiter
from sandbox.procore.records import (
    ChangeOrder,
    ChangeOrderKind,
    ChangeOrderLine,
)

RESOURCE_NAMES: dict[ChangeOrderKind, str] = {
    "commitment": "Commitment Change Orders",
    "prime": "Prime Change Orders",
}
PACKAGE_RESOURCE = "Change Order Packages"
SANDBOX_USER_ID = 1469242


def _decimal(value: Decimal | str | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class LineSeed:
    """A change order line to seed; codes are resolved to (and create) a WBS code."""

    description: str
    amount: Decimal | str
    cost_code: str  # full code, e.g. "03-300"
    cost_type: str  # line item type code, e.g. "L"
    quantity: Decimal | str | None = None
    unit_cost: Decimal | str | None = None
    uom: str = ""
    sub_job: str | None = None


class ProcoreState(HookStore):
    """Everything the emulator knows; seed it directly or through ``/_sandbox/``."""

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        seed: int = 0,
        webhook_http: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(clock, seed=seed, webhook_http=webhook_http)
        self.change_orders: dict[int, ChangeOrder] = {}
        self.limiter = RateLimiter()
        self.faults = Faults()

    # --- change orders -------------------------------------------------------------------------

    def add_commitment_change_order(
        self,
        commitment_id: int,
        number: str,
        lines: Sequence[LineSeed] = (),
        *,
        title: str = "",
        description: str = "",
        status: str = "draft",
        due_date: str | None = None,
        source_application_id: str | None = None,
    ) -> ChangeOrder:
        project_id = self.commitments[commitment_id].project_id
        order = self._new_change_order("commitment", project_id, commitment_id, number)
        return self._create(
            order, lines, title, description, status, due_date, source_application_id
        )

    def add_prime_change_order(
        self,
        prime_contract_id: int,
        number: str,
        lines: Sequence[LineSeed] = (),
        *,
        title: str = "",
        description: str = "",
        status: str = "draft",
        due_date: str | None = None,
        source_application_id: str | None = None,
    ) -> ChangeOrder:
        project_id = self.prime_contracts[prime_contract_id].project_id
        order = self._new_change_order("prime", project_id, prime_contract_id, number)
        return self._create(
            order, lines, title, description, status, due_date, source_application_id
        )

    def _new_change_order(
        self, kind: ChangeOrderKind, project_id: int, contract_id: int, number: str
    ) -> ChangeOrder:
        now = self.now()
        # 1-tier projects: every change order comes with its legacy package (research §2.4).
        return ChangeOrder(
            id=self.next_id(),
            kind=kind,
            project_id=project_id,
            contract_id=contract_id,
            legacy_package_id=self.next_id(),
            number=number,
            title="",
            description="",
            status="draft",
            due_date=None,
            reviewed_at=None,
            created_at=now,
            updated_at=now,
        )

    def _create(
        self,
        order: ChangeOrder,
        lines: Sequence[LineSeed],
        title: str,
        description: str,
        status: str,
        due_date: str | None,
        app_id: str | None,
    ) -> ChangeOrder:
        self._apply(order, title, description, status, due_date, lines)
        self.change_orders[order.id] = order
        self._emit(order, "create", app_id)
        return order

    def update_change_order(
        self,
        change_order_id: int,
        *,
        title: str | None = None,
        description: str | None = None,
        status: str | None = None,
        due_date: str | None = None,
        lines: Sequence[LineSeed] | None = None,
        source_application_id: str | None = None,
    ) -> ChangeOrder:
        """Change the given fields (None = unchanged), bump ``updated_at``, fire ``update``."""
        order = self.live_change_order(change_order_id)
        self._apply(order, title, description, status, due_date, lines)
        order.updated_at = self.now()
        self._emit(order, "update", source_application_id)
        return order

    def set_status(
        self, change_order_id: int, status: str, *, source_application_id: str | None = None
    ) -> ChangeOrder:
        return self.update_change_order(
            change_order_id, status=status, source_application_id=source_application_id
        )

    def delete_change_order(
        self, change_order_id: int, *, source_application_id: str | None = None
    ) -> ChangeOrder:
        order = self.live_change_order(change_order_id)
        order.deleted_at = order.updated_at = self.now()
        self._emit(order, "delete", source_application_id)
        return order

    def live_change_order(
        self, change_order_id: int, kind: ChangeOrderKind | None = None
    ) -> ChangeOrder:
        """A change order that is not deleted (KeyError otherwise)."""
        order = self.change_orders[change_order_id]
        if order.deleted_at is not None or (kind is not None and order.kind != kind):
            raise KeyError(change_order_id)
        return order

    def by_package(self, package_id: int) -> ChangeOrder:
        for order in self.change_orders.values():
            if order.legacy_package_id == package_id and order.deleted_at is None:
                return order
        raise KeyError(package_id)

    def _apply(
        self,
        order: ChangeOrder,
        title: str | None,
        description: str | None,
        status: str | None,
        due_date: str | None,
        lines: Sequence[LineSeed] | None,
    ) -> None:
        order.title = order.title if title is None else title
        order.description = order.description if description is None else description
        order.due_date = order.due_date if due_date is None else due_date
        if lines is not None:
            order.lines = self._lines(order.project_id, lines)
        if status is not None:
            order.status = status
            if status == "approved":
                order.reviewed_at, order.executed = self.now(), True

    def _lines(self, project_id: int, seeds: Sequence[LineSeed]) -> list[ChangeOrderLine]:
        lines = []
        for position, seed in enumerate(seeds, start=1):
            wbs = self.add_wbs_code(
                project_id, seed.cost_code, seed.cost_type, sub_job=seed.sub_job
            )
            amount = Decimal(str(seed.amount))
            quantity, unit_cost = _decimal(seed.quantity), _decimal(seed.unit_cost)
            lines.append(
                ChangeOrderLine(
                    self.next_id(),
                    position,
                    seed.description,
                    amount,
                    quantity,
                    unit_cost,
                    seed.uom,
                    wbs.id,
                )
            )
        return lines

    def _emit(self, order: ChangeOrder, event_type: str, app_id: str | None) -> None:
        """Queue deliveries for the change order and for its legacy package."""
        company_id = self.project(order.project_id).company_id
        resources = (
            (RESOURCE_NAMES[order.kind], order.id),
            (PACKAGE_RESOURCE, order.legacy_package_id),
        )
        for resource_name, resource_id in resources:
            self.queue(
                ChangeEvent(
                    event_id=self.next_id(),
                    ulid=new_ulid(self.now(), self.rng),
                    resource_name=resource_name,
                    resource_id=resource_id,
                    event_type=event_type,
                    company_id=company_id,
                    project_id=order.project_id,
                    user_id=SANDBOX_USER_ID,
                    source_application_id=app_id,
                    timestamp=self.now(),
                )
            )
