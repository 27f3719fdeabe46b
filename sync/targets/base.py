"""The Target interface: what the engine needs from an accounting system."""

from __future__ import annotations

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
        self, document: TargetDocument, existing: PostedRef, request_id: str
    ) -> PostedRef:
        """Replace the existing document's content (with its concurrency token)."""
        ...

    async def void(self, existing: PostedRef, request_id: str) -> None:
        """Void or delete the document after a source deletion was confirmed."""
        ...

    async def create_party(self, request: PartyRequest) -> ReferenceRecord:
        """Create a vendor or customer:job idempotently; returns it (``name`` = full name).

        An existing party of the same kind, name and parent is returned instead of a second
        one; a name held by another party raises ``NeedsHumanError``. Targets that answer later
        raise ``OutcomeToFollow`` and keep ``request.link`` / ``request.follow_up`` for then.
        """
        ...
