"""The Target interface: what the engine needs from an accounting system."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sync.models import (
    MappedDocument,
    PostedRef,
    ReferenceKind,
    ReferenceRecord,
    TargetDocument,
    TargetKind,
)


class OutcomeToFollow(Exception):  # a signal, like StopIteration, not an error
    """Raised by ``create``/``update`` of a target that completes later (the Web Connector
    polls for its work): the write is accepted and durably queued, its outcome will arrive
    through ``sync.engine.outcomes``. ``detail`` goes into the history (e.g. text that was
    fitted)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class Ownership:
    """What costbridge owns in an existing target document, as its last write left it.

    Updates are sparse: only what is owned is sent, and everything else in the document (a
    memo field we do not write, a line a bookkeeper added, a class put on one of our lines)
    stays as QuickBooks has it. ``fields`` is the owned fields' values after our last write;
    when the document changed since (its SyncToken/EditSequence moved) and an owned field no
    longer holds that value, the update stops with ``EditedInTargetError`` unless ``overwrite``
    (a person chose Procore's version).

    ``line_ids`` maps each source line to the target line written for it. Empty with
    ``header`` set means unknown (a link from before costbridge recorded lines, or a document
    found by its marker after a lost answer): costbridge wrote the whole document, so every
    line is adopted as its own. ``header`` False: only lines are owned (a change order whose
    lines amend its commitment's purchase order).
    """

    line_ids: Mapping[str, str] = field(default_factory=dict)
    fields: Mapping[str, Any] = field(default_factory=dict)
    header: bool = True
    overwrite: bool = False

    @property
    def adopts_all_lines(self) -> bool:
        return self.header and not self.line_ids


# Lines a change order adds to its commitment's purchase order say where they come from, so a
# person can trace them and a write whose answer was lost is recognised, not added twice.
_LINE_TAG = re.compile(r"\[CO (?P<number>[^\]]+?) line (?P<line>[^\]\s]+)\]$")


def line_tag(number: str, line_id: str) -> str:
    return f"[CO {number} line {line_id}]"


def tagged_line_id(text: str) -> str | None:
    """The source line id a line's description ends with (``line_tag``), if any."""
    found = _LINE_TAG.search(text.strip())
    return found.group("line") if found else None


@dataclass(frozen=True)
class PartyRequest:
    """A vendor or customer (a job when ``parent_id`` is set) to create in the target.

    ``key`` is deterministic per source party (the request id). A target that answers later
    needs what the engine would do on the spot: ``link`` (source, source_kind, source_id,
    actor) is recorded when the party exists, and ``follow_up`` (a work item: key, kind, data)
    is queued with the answer added to its data (``answer``: ``done`` or ``failed``, ``error``).
    """

    kind: ReferenceKind
    name: str
    parent_id: str
    key: str
    link: dict[str, str] = field(default_factory=dict)
    follow_up: dict[str, Any] = field(default_factory=dict)


class Target(Protocol):
    """An accounting system that documents are written to exactly once."""

    name: str
    # Whether a commitment change order's lines can be added to its commitment's purchase
    # order (sync.engine.amend); a target that cannot posts them separately.
    amends: bool

    async def load_reference_data(self, kinds: set[ReferenceKind]) -> list[ReferenceRecord]:
        """The target's accounts, vendors, customers:jobs, items, classes (active and not)."""
        ...

    def build(self, mapped: MappedDocument, kind: TargetKind, key: str) -> TargetDocument:
        """Build the target document (pure). ``key`` is the idempotency key, written as marker."""
        ...

    async def find(self, document: TargetDocument) -> PostedRef | None:
        """Look a previously written document up by its marker / number (after unknown outcomes)."""
        ...

    async def create(self, document: TargetDocument, request_id: str) -> PostedRef:
        """Create it. ``request_id`` is deterministic, so a replay cannot duplicate."""
        ...

    async def update(
        self,
        document: TargetDocument,
        existing: PostedRef,
        request_id: str,
        ownership: Ownership,
    ) -> PostedRef:
        """Bring what costbridge owns in the existing document to ``document``'s content, and
        nothing else (``Ownership``). Raises ``EditedInTargetError`` when a person changed an
        owned field in the target since our last write."""
        ...

    async def void(self, existing: PostedRef, request_id: str) -> None:
        """Void or delete the document after a source deletion was confirmed."""
        ...

    async def remove_lines(
        self, existing: PostedRef, ownership: Ownership, request_id: str, document_key: str
    ) -> PostedRef:
        """Take the owned lines out of a document that stays (a change order that amended its
        commitment's purchase order was voided). Same checks as ``update``. ``document_key``
        says whose lines: the commitment's and other change orders' links hold it too."""
        ...

    async def create_party(self, request: PartyRequest) -> ReferenceRecord:
        """Create a vendor or customer:job idempotently; returns it (``name`` = full name).

        An existing party of the same kind, name and parent is returned instead of a second
        one; a name held by another party raises ``NeedsHumanError``. Targets that answer later
        raise ``OutcomeToFollow`` and keep ``request.link`` / ``request.follow_up`` for then.
        """
        ...
