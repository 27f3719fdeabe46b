"""``ProcoreState``: the emulated company, its commitments and change orders, its hooks and what
they emit."""

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
    COMMITMENT_STATUSES,
    ChangeOrder,
    ChangeOrderKind,
    ChangeOrderLine,
    Commitment,
    CommitmentType,
    SovLine,
)

RESOURCE_NAMES: dict[ChangeOrderKind, str] = {
    "commitment": "Commitment Change Orders",
    "prime": "Prime Change Orders",
}
PACKAGE_RESOURCE = "Change Order Packages"
COMMITMENT_RESOURCES: dict[CommitmentType, str] = {
    "WorkOrderContract": "Work Order Contracts",
    "PurchaseOrderContract": "Purchase Order Contracts",
}
SANDBOX_USER_ID = 1469242


def _decimal(value: Decimal | str | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _check_status(commitment_type: CommitmentType, status: str) -> None:
    """Procore offers a fixed list per type; anything else is a seeding mistake."""
    if status not in COMMITMENT_STATUSES[commitment_type]:
        allowed = ", ".join(COMMITMENT_STATUSES[commitment_type])
        raise ValueError(f"{commitment_type} status {status!r} is not one of: {allowed}")


@dataclass(frozen=True)
class LineSeed:
    """A change order or SOV line to seed; codes are resolved to (and create) a WBS code."""

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

    # --- commitments ---------------------------------------------------------------------------

    def add_commitment(
        self,
        project_id: int,
        vendor_id: int,
        *,
        type: CommitmentType = "WorkOrderContract",
        number: str = "SC-001",
        title: str = "",
        description: str = "",
        status: str = "Approved",
        contract_date: str | None = None,
        lines: Sequence[LineSeed] = (),
        source_application_id: str | None = None,
    ) -> Commitment:
        """A commitment with its schedule of values (``lines``); fires ``create``."""
        self.project(project_id)
        self.vendor(vendor_id)
        now = self.now()
        commitment = Commitment(
            self.next_id(), project_id, type, number, "", "Draft", vendor_id, now, now,
            contract_date=contract_date,
        )  # fmt: skip
        self._apply_commitment(commitment, title, description, status, lines)
        self.commitments[commitment.id] = commitment
        self._emit_commitment(commitment, "create", source_application_id)
        return commitment

    def update_commitment(
        self,
        commitment_id: int,
        *,
        title: str | None = None,
        description: str | None = None,
        status: str | None = None,
        lines: Sequence[LineSeed] | None = None,
        source_application_id: str | None = None,
    ) -> Commitment:
        """Change the given fields (None = unchanged), bump ``updated_at``, fire ``update``."""
        commitment = self.live_commitment(commitment_id)
        self._apply_commitment(commitment, title, description, status, lines)
        commitment.updated_at = self.now()
        self._emit_commitment(commitment, "update", source_application_id)
        return commitment

    def update_commitment_line(
        self,
        commitment_id: int,
        line_id: int,
        *,
        amount: Decimal | str | None = None,
        description: str | None = None,
        source_application_id: str | None = None,
    ) -> Commitment:
        """Edit one schedule of values line in place (it keeps its id, as a PATCH of
        ``.../line_items/{id}`` does), bump ``updated_at``, fire the commitment's ``update``."""
        commitment = self.live_commitment(commitment_id)
        (line,) = [line for line in commitment.lines if line.id == line_id]
        if amount is not None:
            line.amount = Decimal(str(amount))
            line.quantity = line.unit_cost = None  # the amount is typed, not quantity * price
        if description is not None:
            line.description = description
        line.updated_at = commitment.updated_at = self.now()
        self._emit_commitment(commitment, "update", source_application_id)
        return commitment

    def delete_commitment(
        self, commitment_id: int, *, source_application_id: str | None = None
    ) -> Commitment:
        commitment = self.live_commitment(commitment_id)
        commitment.deleted_at = commitment.updated_at = self.now()
        self._emit_commitment(commitment, "delete", source_application_id)
        return commitment

    def live_commitment(
        self, commitment_id: int, commitment_type: CommitmentType | None = None
    ) -> Commitment:
        """A commitment that is not deleted, of ``commitment_type`` when given (else KeyError)."""
        commitment = self.commitments[commitment_id]
        if commitment.deleted_at is not None or commitment_type not in (None, commitment.type):
            raise KeyError(commitment_id)
        return commitment

    def _apply_commitment(
        self,
        commitment: Commitment,
        title: str | None,
        description: str | None,
        status: str | None,
        lines: Sequence[LineSeed] | None,
    ) -> None:
        if status is not None:
            _check_status(commitment.type, status)  # before anything changes
        commitment.title = commitment.title if title is None else title
        commitment.description = commitment.description if description is None else description
        if lines is not None:
            commitment.lines = self._sov_lines(commitment.project_id, lines)
        if status is not None:
            commitment.status = status
            if commitment.executed and commitment.execution_date is None:
                commitment.execution_date = self.now().date().isoformat()

    def _sov_lines(self, project_id: int, seeds: Sequence[LineSeed]) -> list[SovLine]:
        now = self.now()
        return [
            SovLine(**vars(line), created_at=now, updated_at=now)
            for line in self._lines(project_id, seeds)
        ]

    def _emit_commitment(self, commitment: Commitment, event_type: str, app_id: str | None) -> None:
        resource_name = COMMITMENT_RESOURCES[commitment.type]
        self._queue_event(resource_name, commitment.id, event_type, commitment.project_id, app_id)

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
        resources = (
            (RESOURCE_NAMES[order.kind], order.id),
            (PACKAGE_RESOURCE, order.legacy_package_id),
        )
        for resource_name, resource_id in resources:
            self._queue_event(resource_name, resource_id, event_type, order.project_id, app_id)

    def _queue_event(
        self,
        resource_name: str,
        resource_id: int,
        event_type: str,
        project_id: int,
        app_id: str | None,
    ) -> None:
        self.queue(
            ChangeEvent(
                event_id=self.next_id(),
                ulid=new_ulid(self.now(), self.rng),
                resource_name=resource_name,
                resource_id=resource_id,
                event_type=event_type,
                company_id=self.project(project_id).company_id,
                project_id=project_id,
                user_id=SANDBOX_USER_ID,
                source_application_id=app_id,
                timestamp=self.now(),
            )
        )
