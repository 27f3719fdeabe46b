"""Canonical documents: what every source is normalised into and every target is built from.

Money is ``Decimal`` everywhere; ids from outside systems are strings (Procore v2.0 already uses
strings; v1.x integers are converted at the edge).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class DocumentKind(StrEnum):
    """The source documents the engine knows how to route."""

    COMMITMENT_CHANGE_ORDER = "commitment_change_order"
    PRIME_CHANGE_ORDER = "prime_change_order"
    # A subcontract (work order contract) or purchase order contract, with its schedule of
    # values as lines; executed/approved ones post as purchase orders.
    COMMITMENT = "commitment"

    @property
    def noun(self) -> str:
        """What a person calls it: "Change order", "Commitment"."""
        return "Commitment" if self is DocumentKind.COMMITMENT else "Change order"

    @property
    def has_vendor(self) -> bool:
        """Written against a vendor (purchase side) rather than the owner."""
        return self is not DocumentKind.PRIME_CHANGE_ORDER


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CostCode(_Frozen):
    id: str
    code: str  # full code with parent prefixes, e.g. "03-300"
    name: str = ""


class CostType(_Frozen):
    """A Procore line item type; ``base_type`` is Procore's enum (labor, materials, ...)."""

    id: str
    name: str
    code: str = ""
    base_type: str = ""


class PartyRef(_Frozen):
    """A vendor or customer as the source knows it."""

    id: str
    name: str
    code: str = ""  # the source's user-visible external code (Procore origin_code)


class ProjectRef(_Frozen):
    id: str
    name: str
    number: str = ""


class DocumentRef(_Frozen):
    """Enough to fetch a document again: what a webhook or a sweep points at."""

    source: str = "procore"
    kind: DocumentKind
    id: str
    project_id: str


class SourceLine(_Frozen):
    id: str
    position: int
    description: str = ""
    amount: Decimal
    quantity: Decimal | None = None
    unit_cost: Decimal | None = None
    uom: str = ""
    cost_code: CostCode | None = None
    cost_type: CostType | None = None
    custom_fields: dict[str, str] = Field(default_factory=dict)


class SourceDocument(_Frozen):
    """A document as the source had it at one moment (one *version*)."""

    source: str = "procore"
    kind: DocumentKind
    id: str
    number: str
    title: str = ""
    description: str = ""
    status: str  # the source's own status word, lower-cased
    approved: bool
    deleted: bool = False
    project: ProjectRef
    vendor: PartyRef | None = None  # commitment change orders: the subcontractor/supplier
    contract_id: str = ""
    contract_number: str = ""  # the commitment's own number (CO numbers repeat per contract)
    document_date: date | None = None
    updated_at: datetime
    lines: tuple[SourceLine, ...]
    url: str = ""  # where a human opens it in the source system
    custom_fields: dict[str, str] = Field(default_factory=dict)

    @property
    def ref(self) -> DocumentRef:
        return DocumentRef(
            source=self.source, kind=self.kind, id=self.id, project_id=self.project.id
        )

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))

    @property
    def reference_number(self) -> str:
        """A number unique in the company: change order numbers restart per contract."""
        prefix = self.contract_number or self.project.number
        return f"{prefix}-{self.number}" if prefix else self.number

    def content_hash(self) -> str:
        """A stable hash of what matters for posting (not of ``updated_at``)."""
        data = self.model_dump(mode="json", exclude={"updated_at", "url"})
        blob = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


class TargetRef(_Frozen):
    """A reference into the target system (an account, a vendor, a customer:job, a class...)."""

    id: str
    name: str = ""


class MappedLine(_Frozen):
    """One source line with its target coordinates decided."""

    source_line_id: str
    description: str
    amount: Decimal
    quantity: Decimal | None = None
    unit_cost: Decimal | None = None
    account: TargetRef | None = None  # expense/GL account (purchase side)
    item: TargetRef | None = None  # product/service item (sales side, or item-based lines)
    class_ref: TargetRef | None = None
    customer: TargetRef | None = None  # customer:job the line is tagged to
    billable: bool | None = None
    tax_code: str | None = None
    rule_ids: tuple[int, ...] = ()  # the rules that decided this line (for the audit trail)


class MappedDocument(_Frozen):
    """A source document fully mapped: every line has its coordinates, nothing left to guess."""

    source: SourceDocument
    vendor: TargetRef | None = None
    customer: TargetRef | None = None  # the project's customer:job
    department: TargetRef | None = None
    lines: tuple[MappedLine, ...]
    # 0, or how many documents of this kind were voided for it before: this one is issued
    # again, numbered apart from them ("…-R2"), never the voided one brought back.
    reissue: int = 0

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))

    @property
    def reference_number(self) -> str:
        """The number the target document carries."""
        number = self.source.reference_number
        return f"{number}-R{self.reissue + 1}" if self.reissue else number


class ReferenceKind(StrEnum):
    ACCOUNT = "account"
    VENDOR = "vendor"
    CUSTOMER = "customer"
    ITEM = "item"
    CLASS = "class"
    DEPARTMENT = "department"


class ReferenceRecord(_Frozen):
    """One row of a target's reference data (chart of accounts, vendors, customers:jobs, ...)."""

    kind: ReferenceKind
    id: str
    name: str  # fully qualified name, e.g. "Acme Builders:1021 Main St" or "Job Expenses:Labor"
    number: str = ""  # account number where the target has one
    type: str = ""  # account type, item type
    active: bool = True
    parent_id: str = ""


class TargetKind(StrEnum):
    PURCHASE_ORDER = "PurchaseOrder"
    INVOICE = "Invoice"
    ESTIMATE = "Estimate"
    BILL = "Bill"
    # Credits: what a change order with a negative total becomes (its lines with the
    # opposite sign, so the credit's total is the positive amount credited).
    VENDOR_CREDIT = "VendorCredit"
    CREDIT_MEMO = "CreditMemo"


class TargetDocument(_Frozen):
    """What a target will write, built purely from a mapped document."""

    kind: TargetKind
    doc_number: str
    marker: str  # a unique tag written into the memo so the document can be found again
    body: dict[str, object]  # the target system's own JSON (or whatever it speaks)
    # The source line ids of the body's lines, in order: which line costbridge wrote for which.
    line_keys: tuple[str, ...] = ()
    # What was fitted to the target's limits (cut, replaced), said in the document's history.
    notes: tuple[str, ...] = ()


class PostedRef(_Frozen):
    """The outcome of a write: the target's id and concurrency token.

    After a write the target also says what costbridge now owns in the document
    (``sync.targets.base.Ownership``): ``line_ids`` (source line id → target line id) and
    ``owned_fields`` (the owned fields as the write left them). Empty when not known (a
    document found by its marker, a target that does not tell).
    """

    kind: TargetKind
    id: str
    sync_token: str = ""
    doc_number: str = ""
    total: Decimal | None = None
    line_ids: dict[str, str] = Field(default_factory=dict)
    owned_fields: dict[str, Any] = Field(default_factory=dict)
