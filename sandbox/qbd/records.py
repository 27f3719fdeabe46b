"""What a fake QuickBooks Desktop company file holds: list rows and transactions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass
class ListRow:
    kind: str  # account | vendor | customer | item | class
    list_id: str
    name: str
    full_name: str
    edit_sequence: str
    created: datetime
    modified: datetime
    parent_id: str = ""
    active: bool = True
    sublevel: int = 0
    account_type: str = ""
    account_number: str = ""
    item_type: str = ""  # Service | NonInventory


def line_tables(kind: str) -> tuple[str, ...]:
    """A transaction kind's line lists, in the order its Ret gives them. A bill or vendor
    credit has two, expense lines (by account) then item lines, and QuickBooks modifies each
    on its own (hence BillMod's ClearExpenseLines and ClearItemLines); the others have one."""
    return ("ExpenseLine", "ItemLine") if kind in ("Bill", "VendorCredit") else (f"{kind}Line",)


@dataclass
class TxnLine:
    line_id: str
    amount: Decimal
    desc: str = ""  # Desc, or Memo on an expense line
    item_id: str = ""
    account_id: str = ""  # AccountRef on an expense line, OverrideItemAccountRef on the others
    class_id: str = ""
    customer_id: str = ""
    quantity: str = ""
    rate: str = ""  # Rate, or Cost on an item line of a bill or vendor credit
    billable: str = ""
    table: str = ""  # which of line_tables(kind) holds it: "PurchaseOrderLine", "ItemLine"...


@dataclass
class Txn:
    kind: str  # PurchaseOrder | Invoice | Estimate | Bill | VendorCredit | CreditMemo
    txn_id: str
    txn_number: int
    edit_sequence: str
    party_id: str
    created: datetime
    modified: datetime
    txn_date: str = ""
    ref_number: str = ""
    memo: str = ""
    lines: list[TxnLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))
