"""A fake QuickBooks Desktop company file: lists, transactions, ids, and fault switches."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sandbox.clock import Clock, SystemClock
from sandbox.qbd.records import ListRow, Txn, TxnLine, line_tables

# Names are unique across these lists (QuickBooks' "name list"): 3100 otherwise.
NAME_LISTS = ("customer", "vendor")


@dataclass
class Faults:
    """Switches a test flips to make QuickBooks misbehave the way real ones do."""

    in_use: int = 0  # the next N writes answer 3180 (record locked by another user)
    stale_iterator: bool = False  # the next iterator Continue answers 3391
    # TxnIDs another user saves (CompanyFile.edit_as_user, no change) just before our Mod.
    touch: set[str] = field(default_factory=set)
    # The next transaction writes answer these (statusCode, statusMessage), e.g. 3100.
    answers: list[tuple[int, str]] = field(default_factory=list)
    # The next transaction writes succeed but answer these warnings (500-999), e.g. 530.
    warnings: list[tuple[int, str]] = field(default_factory=list)
    # The next request of each of these tags (e.g. "VendorAddRq") cannot be parsed: the
    # request processor answers 0x80040400 without running it, as for a malformed request.
    unparseable: list[str] = field(default_factory=list)


@dataclass
class Iterator:
    kind: str
    rows: list[ListRow]
    page: int


class CompanyFile:
    def __init__(self, name: str = "Acme Builders", clock: Clock | None = None) -> None:
        self.name = name
        self.clock = clock or SystemClock()
        self.lists: dict[str, dict[str, ListRow]] = {
            k: {} for k in ("account", "vendor", "customer", "item", "class")
        }
        self.txns: dict[str, Txn] = {}
        self.iterators: dict[str, Iterator] = {}
        self.faults = Faults()
        self._serial = 0x80000000
        self._txn_number = 0
        self.requests: list[str] = []  # every qbXML request received, as sent
        self.rejected: list[str] = []  # the ones that failed the schema (0x80040400)
        self.voided: list[str] = []  # TxnIDs in the order TxnVoidRq voided them (repeats too)
        self.deleted: list[str] = []  # TxnIDs in the order TxnDelRq deleted them
        self.sessions = 0  # QuickBooks sessions begun (one per Web Connector update)

    def begin_session(self) -> None:
        """The Web Connector opened the company file (BeginSession): iterators of an earlier
        session are gone, as in QuickBooks, so using one answers 3391."""
        self.sessions += 1
        self.iterators.clear()

    # --- ids -----------------------------------------------------------------------------

    def _stamp(self) -> int:
        return int(self.clock.now().timestamp())

    def next_list_id(self) -> str:
        self._serial += 1
        return f"{self._serial:X}-{self._stamp()}"

    def _next_serial(self) -> str:
        self._serial += 1
        return f"{self._serial & 0xFFFF:X}-{self._stamp()}"

    def next_txn_id(self) -> str:
        self._txn_number += 1
        return self._next_serial()

    def next_line_id(self) -> str:
        """A TxnLineID: from the TxnIDs' serial, but a line is no transaction (no TxnNumber)."""
        return self._next_serial()

    def next_edit_sequence(self, previous: str = "") -> str:
        base = int(previous) + 1 if previous.isdigit() else self._stamp()
        return str(max(base, self._stamp()))

    def now(self) -> datetime:
        return self.clock.now().astimezone(UTC)

    # --- lists -----------------------------------------------------------------------------

    def add(self, kind: str, name: str, *, parent: str = "", **extra: object) -> ListRow:
        parent_row = self.by_name(kind, parent) if parent else None
        full = f"{parent_row.full_name}:{name}" if parent_row else name
        now = self.now()
        row = ListRow(
            kind=kind,
            list_id=self.next_list_id(),
            name=name,
            full_name=full,
            edit_sequence=self.next_edit_sequence(),
            created=now,
            modified=now,
            parent_id=parent_row.list_id if parent_row else "",
            sublevel=(parent_row.sublevel + 1) if parent_row else 0,
        )
        for key, value in extra.items():
            setattr(row, key, value)
        self.lists[kind][row.list_id] = row
        return row

    def by_name(self, kind: str, full_name: str) -> ListRow | None:
        wanted = full_name.lower()
        return next((r for r in self.lists[kind].values() if r.full_name.lower() == wanted), None)

    def by_id(self, kind: str, list_id: str) -> ListRow | None:
        return self.lists[kind].get(list_id)

    def id(self, kind: str, full_name: str) -> str:
        row = self.by_name(kind, full_name)
        assert row is not None, f"no {kind} {full_name!r}"
        return row.list_id

    def name_in_use(self, full_name: str) -> bool:
        return any(self.by_name(kind, full_name) for kind in NAME_LISTS)

    # --- transactions --------------------------------------------------------------------

    def of_kind(self, kind: str) -> list[Txn]:
        return [t for t in self.txns.values() if t.kind == kind]

    def new_txn(self, kind: str, party_id: str) -> Txn:
        now = self.now()
        txn = Txn(
            kind=kind,
            txn_id=self.next_txn_id(),
            txn_number=self._txn_number,
            edit_sequence=self.next_edit_sequence(),
            party_id=party_id,
            created=now,
            modified=now,
        )
        self.txns[txn.txn_id] = txn
        return txn

    def saved(self, txn: Txn) -> None:
        """What every save of a transaction does, through qbXML or in QuickBooks' window."""
        txn.edit_sequence = self.next_edit_sequence(txn.edit_sequence)
        txn.modified = self.now()

    def edit_as_user(
        self,
        txn_id: str,
        *,
        memo: str | None = None,
        add_line: TxnLine | None = None,
        change_line: TxnLine | None = None,
        remove_line: str = "",
    ) -> Txn:
        """The bookkeeper edits the transaction in QuickBooks' own window and saves it: no
        qbXML, so no reference checks. ``memo`` replaces the memo; ``change_line`` replaces the
        line with its ``line_id`` (in the same line list); ``remove_line`` deletes the line
        with that TxnLineID; ``add_line`` goes last with a new TxnLineID, in the kind's first
        line list unless its ``table`` names another. Like any save, even one that changed
        nothing (``faults.touch``), it moves EditSequence and TimeModified on: a Mod carrying
        the EditSequence read before answers 3200."""
        txn = self.txns[txn_id]
        if memo is not None:
            txn.memo = memo
        if change_line is not None:
            index = _line_index(txn, change_line.line_id)
            txn.lines[index] = replace(change_line, table=txn.lines[index].table)
        if remove_line:
            del txn.lines[_line_index(txn, remove_line)]
        if add_line is not None:
            table = add_line.table or line_tables(txn.kind)[0]
            txn.lines.append(replace(add_line, line_id=self.next_line_id(), table=table))
        self.saved(txn)
        return txn


def _line_index(txn: Txn, line_id: str) -> int:
    for index, line in enumerate(txn.lines):
        if line.line_id == line_id:
            return index
    raise KeyError(f"{txn.kind} {txn.txn_id} has no line {line_id}")
