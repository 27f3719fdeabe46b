"""The Source interface: what the engine needs from a project-management system."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sync.models import DocumentRef, SourceDocument


@dataclass(frozen=True)
class SourceEvent:
    """A verified, parsed inbound notification ("go re-read resource X")."""

    source: str
    key: str  # the source's own delivery id (Procore: ulid for v2/v3, id for v4): dedupe key
    resource_name: str
    resource_id: str
    event_type: str  # create | update | delete, lower-cased
    company_id: str
    project_id: str
    occurred_at: datetime | None
    caused_by_us: bool  # the change came from our own writes (source_application_id)


@dataclass(frozen=True)
class Listed:
    """A document a list call returned, with that answer when it is the document itself
    (``fetch`` then reads only what the list did not carry: lines, a package)."""

    ref: DocumentRef
    payload: Mapping[str, Any] | None = None


class Source(Protocol):
    """A project-management system that reports changes and can be read back."""

    name: str

    def parse_event(self, headers: Mapping[str, str], body: bytes) -> SourceEvent:
        """Verify and parse a webhook delivery.

        Raises:
            InvalidEventError: the body is not a well-formed event (answer 400).
            sync.sources.base.UnauthorizedEventError: the credentials are wrong (answer 401).
        """
        ...

    async def resolve(self, event: SourceEvent) -> list[DocumentRef]:
        """The documents an event concerns (none when it is about something we do not sync)."""
        ...

    async def fetch(
        self, ref: DocumentRef, listed: Mapping[str, Any] | None = None
    ) -> SourceDocument:
        """Read a document and everything it references, normalised. ``listed``: what a list
        call answered for it (``Listed.payload``), not read again."""
        ...

    async def list_changed(self, since: datetime) -> list[Listed]:
        """Every syncable document updated since ``since`` (for the reconciliation sweep)."""
        ...


class UnauthorizedEventError(Exception):
    """The inbound request's credentials are missing or wrong."""
