"""Edits made in QuickBooks are never overwritten silently: a person chooses.

Before an update the target reads its document; when a field costbridge owns changed since
costbridge's last write, the update stops with ``EditedInTargetError`` and the version waits in
``needs_attention`` with one reason (``edited_in_target``), told once like any other. Fields
costbridge does not own (a memo field it never writes, a line a bookkeeper added, a class on one
of our lines) are not conflicts: sparse updates leave them as they are.

The two answers (Slack buttons, ``costbridge conflict DOCUMENT overwrite|keep``):

- ``overwrite``: Procore's version wins this once. The link remembers the choice
  (``overwrite_next``), the document is driven again, and the next write skips the check; any
  later edit in QuickBooks is a new conflict.
- ``keep``: QuickBooks' version wins. The link is detached (``detached_at``), the version
  settles ``skipped``, and later versions from Procore are recorded and skipped with a history
  line that says why: costbridge no longer writes this document — until a person drives it
  again (``costbridge requeue``), which attaches it again (and asks again if the edit stands).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEntry, DocumentVersion, TargetLink
from sync.engine import queue, states
from sync.engine.documents import (
    DocumentLookupError,
    current_version,
    enqueue_sync,
    label,
    reasons_of,
    ref_of,
    select_document,
    transition,
)
from sync.engine.posting import find_link
from sync.errors import EDITED_IN_TARGET
from sync.service import Service

log = structlog.get_logger("costbridge.conflicts")
Choice = Literal["overwrite", "keep"]
KEPT = "kept QuickBooks' version"
OVERWRITE = "overwrite with Procore's version"


class ConflictRefused(Exception):
    """Nothing was changed: the message says why, in words for a person."""


@dataclass(frozen=True)
class Resolved:
    document_id: int
    label: str
    choice: Choice
    target: str  # "PurchaseOrder 1021-SC-001"


def has_conflict(version: DocumentVersion) -> bool:
    return version.state == states.NEEDS_ATTENTION and any(
        reason.kind == EDITED_IN_TARGET for reason in reasons_of(version)
    )


async def resolve_conflict(svc: Service, selector: str, choice: Choice, *, actor: str) -> Resolved:
    """Apply a person's answer to an ``edited_in_target`` conflict (module docstring)."""
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        try:
            row = await select_document(session, selector)
        except DocumentLookupError as exc:
            raise ConflictRefused(str(exc)) from None
        assert row.id is not None
        named = label(row)
        version = await current_version(session, row)
        link = await find_link(session, row.id, svc.target.name)
        if version is None or link is None or not has_conflict(version):
            raise ConflictRefused(f"{named} has no edit in QuickBooks waiting for an answer")
        target = f"{link.target_kind} {link.doc_number or link.target_id}"
        if choice == "overwrite":
            link.overwrite_next = True
            version.attempts = 0
            version.next_attempt_at = None
            await transition(
                session, version, states.FAILED, OVERWRITE, now=now, actor=actor, detail=target
            )
            await enqueue_sync(session, ref_of(row), now=now)
        else:
            link.detached_at = now
            await transition(
                session,
                version,
                states.SKIPPED,
                KEPT,
                now=now,
                actor=actor,
                detail=f"{target} stays as QuickBooks has it; costbridge no longer writes it",
            )
            # whoever tells people (the Slack question) hears it, whichever way it was answered
            await queue.enqueue(
                session,
                key=f"notify:{row.id}",
                kind="notify",
                data={"document_id": row.id, "version_id": version.id, "state": states.SKIPPED},
                now=now,
            )
        link.updated_at = now
        session.add(link)
        session.add(
            AuditEntry(
                at=now,
                actor=actor,
                action=f"conflict.{choice}",
                subject=f"document:{row.id}",
                detail=json.dumps({"kind": link.target_kind, "target_id": link.target_id}),
            )
        )
    log.info("conflict.resolved", document=row.id, choice=choice, actor=actor)
    return Resolved(row.id, named, choice, target)


async def skip_detached(
    session: AsyncSession, version: DocumentVersion, link: TargetLink, *, now: datetime
) -> None:
    """A new version of a document whose QuickBooks version a person kept: recorded, not sent."""
    when = f"{link.detached_at:%Y-%m-%d}" if link.detached_at else "earlier"
    await transition(
        session,
        version,
        states.SKIPPED,
        "not synced: QuickBooks' version kept",
        now=now,
        detail=f"{link.target_kind} {link.doc_number or link.target_id}: a person kept "
        f"QuickBooks' version on {when}; costbridge no longer writes it",
    )
