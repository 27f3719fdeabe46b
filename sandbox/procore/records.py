"""The emulator's stored objects: plain mutable records, serialised to Procore's JSON elsewhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

BaseType = Literal[
    "labor", "equipment", "materials", "commitment", "owner_cost", "professional_services", "other"
]
CommitmentType = Literal["WorkOrderContract", "PurchaseOrderContract"]
# Procore's status words per commitment type (research §2.4).
COMMITMENT_STATUSES: dict[CommitmentType, tuple[str, ...]] = {
    "WorkOrderContract": (
        "Draft", "Out For Bid", "Out For Signature", "Approved", "Complete", "Terminated", "Void",
    ),
    "PurchaseOrderContract": (
        "Draft", "Processing", "Submitted", "Partially Received", "Received", "Approved", "Closed",
    ),
}  # fmt: skip
# Kept simple: a commitment counts as executed once it is in force (approved) or past that
# point (complete, goods received, closed). Procore's own flag follows signatures too.
EXECUTED_STATUSES: dict[CommitmentType, frozenset[str]] = {
    "WorkOrderContract": frozenset({"Approved", "Complete"}),
    "PurchaseOrderContract": frozenset({"Approved", "Partially Received", "Received", "Closed"}),
}
ChangeOrderKind = Literal["commitment", "prime"]
PayloadVersion = Literal["v2.0", "v3.0", "v4.0"]


@dataclass
class Company:
    id: int
    name: str


@dataclass
class OAuthClient:
    client_id: str
    client_secret: str
    company_ids: set[int]  # companies where the app (DMSA) is installed


@dataclass
class AccessToken:
    token: str
    client_id: str
    created_at: datetime
    expires_at: datetime


@dataclass
class Project:
    id: int
    company_id: int
    name: str
    project_number: str
    active: bool
    created_at: datetime
    updated_at: datetime
    origin_id: str | None = None


@dataclass
class Vendor:
    id: int
    company_id: int
    name: str
    is_active: bool
    origin_id: str | None
    origin_code: str | None
    created_at: datetime
    updated_at: datetime


@dataclass
class CostCode:
    id: int
    project_id: int
    code: str  # this tier's segment only
    full_code: str  # with parent prefixes, e.g. "03-300"
    name: str
    parent_id: int | None
    created_at: datetime
    updated_at: datetime


@dataclass
class LineItemType:
    id: int
    company_id: int
    name: str
    code: str
    base_type: BaseType


@dataclass
class WbsCode:
    id: int
    project_id: int
    flat_code: str  # "<sub job.>?<cost code full_code>.<line item type code>"
    description: str
    cost_code_id: int
    line_item_type_id: int


@dataclass
class PrimeContract:
    id: int
    project_id: int
    number: str
    title: str
    status: str
    created_at: datetime
    updated_at: datetime


@dataclass
class ChangeOrderLine:
    """One line: a v2.0 CCO line item and, mirrored, a legacy package line item."""

    id: int
    position: int
    description: str
    amount: Decimal
    quantity: Decimal | None
    unit_cost: Decimal | None
    uom: str
    wbs_code_id: int


@dataclass
class SovLine(ChangeOrderLine):
    """A commitment's schedule of values line: a change order line with its own timestamps."""

    created_at: datetime
    updated_at: datetime


@dataclass
class Commitment:
    """A work order contract (subcontract) or purchase order contract with its SOV lines."""

    id: int
    project_id: int
    type: CommitmentType
    number: str
    title: str
    status: str
    vendor_id: int
    created_at: datetime
    updated_at: datetime
    description: str = ""
    contract_date: str | None = None  # YYYY-MM-DD, as Procore's date fields
    execution_date: str | None = None  # the day it first became executed
    lines: list[SovLine] = field(default_factory=list)
    deleted_at: datetime | None = None

    @property
    def executed(self) -> bool:
        return self.status in EXECUTED_STATUSES[self.type]


@dataclass
class ChangeOrder:
    """A commitment or prime change order; its lines live on its legacy package too."""

    id: int
    kind: ChangeOrderKind
    project_id: int
    contract_id: int
    legacy_package_id: int
    number: str
    title: str
    description: str
    status: str
    due_date: str | None
    reviewed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    lines: list[ChangeOrderLine] = field(default_factory=list)
    deleted_at: datetime | None = None
    executed: bool = False


@dataclass
class Hook:
    id: int
    company_id: int
    project_id: int | None
    namespace: str
    destination_url: str
    destination_headers: dict[str, str]
    payload_version: PayloadVersion
    status: str
    created_at: datetime
    updated_at: datetime


@dataclass
class Trigger:
    id: int
    hook_id: int
    resource_name: str
    event_type: str  # create | update | delete


@dataclass
class Attempt:
    response_status: int | None
    success: bool
    started_at: datetime
    error: str = ""


@dataclass
class Delivery:
    id: int
    hook_id: int
    destination_url: str
    payload: dict[str, object]
    status: str  # enqueued | delivered | retrying | discarded
    resource_name: str
    event_type: str
    attempts: list[Attempt] = field(default_factory=list)
    sent_count: int = 0  # POSTs made, duplicates included


@dataclass
class WebhookSwitches:
    """Delivery misbehaviour Procore documents as possible (research §1.4)."""

    duplicate: int = 0  # extra copies POSTed of every delivery
    order: Literal["fifo", "reverse", "shuffle"] = "fifo"  # order within one flush
    drop_rate: float = 0.0  # share of deliveries silently discarded (1.0 = all)
