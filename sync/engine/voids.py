"""Voiding the document a link holds, exactly once: after a sign flip, or because a person
(or ``COSTBRIDGE_AUTO_VOID``) said so after the change order left the source.

The discipline both share (``void_linked``):

- The request id names the document voided (``void_request_id``), not the version: a replay
  sends the target the same request, and a target that landed it unseen recognises it (QuickBooks
  Online reads the document first: gone, or "Voided"; Desktop reads it by TxnID) and does not
  send it again.
- Only the document the link holds is voided, and the outcome is committed on the link
  (``sync.engine.outcomes.record_voided``: ``voided``, ``voided_kind``, ``voided_target_id``,
  ``voided_at``) in one transaction with the history.
- A target that answers later raises ``OutcomeToFollow``; the answer goes through the same
  ``record_voided`` (``sync.targets.qbd.void_answers``).

``void_document`` is the operation a person runs (``costbridge void``, Slack's "Void in
QuickBooks"): it writes "void requested" with its actor and an audit row before asking the
target, so whenever the void's outcome is recorded — at once, or when the Web Connector answers —
``record_voided`` settles the version ``skipped`` ("voided in QuickBooks") with that actor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

import structlog

from db.models import AuditEntry, DocumentVersion, TargetLink
from sync.engine import outcomes, states
from sync.engine.documents import (
    DocumentLookupError,
    add_history,
    current_version,
    label,
    select_document,
)
from sync.engine.posting import find_link, ownership_of, posted_from, request_id
from sync.engine.routes import document_key
from sync.errors import FatalError, NeedsHumanError
from sync.models import DocumentKind
from sync.service import Service
from sync.targets.base import OutcomeToFollow

log = structlog.get_logger("costbridge.void")


def void_request_id(target_account: str, document_key: str, link: TargetLink) -> str:
    """Deterministic per document voided: the same void is always the same request."""
    return request_id(target_account, document_key, f"{link.target_kind}:{link.target_id}", "void")


def posted_label(link: TargetLink) -> str:
    """``"PurchaseOrder SC-001-003"``: the document the link holds; a change order that
    amended its commitment's purchase order holds only its lines there."""
    label = f"{link.target_kind} {link.doc_number or link.target_id}"
    return f"{label} (lines of this change order)" if link.amends_document_id else label


def link_total(link: TargetLink) -> Decimal:
    try:
        return Decimal(link.total or "0")
    except InvalidOperation:
        return Decimal("0")


async def void_linked(
    svc: Service, link: TargetLink, document_key: str, *, version_id: int | None, detail: str
) -> TargetLink:
    """Void (or delete) the document ``link`` holds and commit that on the link; the link now.

    ``OutcomeToFollow`` (the target answers later) and the target's errors propagate: nothing
    is recorded then, so a retry asks again and the target sees what is already done.
    """
    old = posted_from(link)
    rid = void_request_id(svc.target_account, document_key, link)
    if link.amends_document_id is not None:
        # Its lines amend the commitment's purchase order, which stays: only they go.
        owned = replace(ownership_of(link), overwrite=True)
        await svc.target.remove_lines(old, owned, rid, document_key)
    else:
        await svc.target.void(old, rid)
    async with svc.sessions() as session, session.begin():
        version = (
            await session.get(DocumentVersion, version_id, with_for_update=True)
            if version_id
            else None
        )
        row = await session.get(TargetLink, link.id, with_for_update=True)
        assert row is not None
        await outcomes.record_voided(
            session, version, row, target_id=old.id, detail=detail, now=svc.clock.now()
        )
    return row


async def note(svc: Service, version_id: int, cause: str, detail: str) -> None:
    """A history line on the version, in its own transaction."""
    async with svc.sessions() as session, session.begin():
        version = await session.get(DocumentVersion, version_id)
        assert version is not None
        await outcomes.note(session, version, cause, detail, now=svc.clock.now())


@dataclass(frozen=True)
class Voided:
    """What ``void_document`` did."""

    document_id: int
    label: str  # "commitment change order 003 (document 4)"
    target: str  # "PurchaseOrder SC-001-003"
    total: Decimal
    done: bool  # False: accepted, outcome to follow (QuickBooks Desktop's Web Connector)
    detail: str


class VoidRefused(Exception):
    """Nothing was voided: the message says why, in words for a person."""


async def void_document(svc: Service, selector: str, *, actor: str, why: str = "") -> Voided:
    """Void (or delete, where QuickBooks cannot void it) the document posted for ``selector``.

    Refused: no such document, never posted, already voided, being written right now, or the
    target refuses. A retryable error from the target propagates (nothing recorded; running it
    again is safe). QuickBooks Desktop: ``done`` is False, the Web Connector completes it.
    """
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        try:
            row = await select_document(session, selector)
        except DocumentLookupError as exc:
            raise VoidRefused(str(exc)) from None
        assert row.id is not None
        named = label(row)
        link = await find_link(session, row.id, svc.target.name)
        version = await current_version(session, row)
        if link is None or not link.target_id or version is None or version.id is None:
            raise VoidRefused(f"{named} was never posted to QuickBooks: nothing to void")
        target = posted_label(link)
        if link.voided:
            when = f" on {link.voided_at:%Y-%m-%d}" if link.voided_at else ""
            raise VoidRefused(
                f"{named}: {link.voided_kind or link.target_kind} "
                f"{link.doc_number or link.voided_target_id} was already voided{when}"
            )
        if version.state == states.POSTING:
            raise VoidRefused(
                f"{named} is being written to QuickBooks right now; void it once that is done"
            )
        total = link_total(link)
        version_id = version.id
        key = document_key(row.source, DocumentKind(row.kind), row.external_id)
        asked = f"{target} for ${total:,.2f}" + (f": {why}" if why else "")
        await add_history(
            session,
            row.id,
            version_id,
            version.state,
            version.state,
            outcomes.VOID_REQUESTED,
            now=now,
            actor=actor,
            detail=asked,
        )
        session.add(
            AuditEntry(
                at=now,
                actor=actor,
                action="void",
                subject=f"document:{row.id}",
                detail=json.dumps(
                    {"kind": link.target_kind, "target_id": link.target_id, "total": str(total)}
                ),
            )
        )
    because = f": {why}" if why else ""
    if link.amends_document_id is not None:
        detail = f"its lines removed from {target} (id {link.target_id}), which stays{because}"
    else:
        detail = (
            f"{target} (id {link.target_id}) voided, or deleted where QuickBooks cannot void "
            f"it{because}"
        )
    try:
        await void_linked(svc, link, key, version_id=version_id, detail=detail)
    except OutcomeToFollow as accepted:
        await note(svc, version_id, "accepted, outcome to follow", accepted.detail)
        log.info("void.queued", document=row.id, target=target, actor=actor)
        return Voided(row.id, named, target, total, False, accepted.detail)
    except (NeedsHumanError, FatalError) as exc:
        await note(svc, version_id, outcomes.VOID_REFUSED, str(exc))
        log.info("void.refused", document=row.id, target=target, error=str(exc))
        if isinstance(exc, NeedsHumanError):
            raise VoidRefused(f"QuickBooks refused to void {target}: {exc}") from None
        raise VoidRefused(f"{target} was not voided: {exc}") from None
    log.info("void.voided", document=row.id, target=target, actor=actor)
    done = (
        f"its lines removed from {target} in QuickBooks"
        if link.amends_document_id is not None
        else f"{target} voided in QuickBooks"
    )
    return Voided(row.id, named, target, total, True, done)
