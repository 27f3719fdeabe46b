"""Source documents, their versions and their history, in the database."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models import DocumentVersion, HistoryEntry, SourceDocumentRow
from sync.engine import queue, states
from sync.errors import AttentionReason
from sync.models import DocumentKind, DocumentRef, SourceDocument

# The states people are told about (by the notifiers registered on the service).
NOTIFY_STATES = frozenset({states.POSTED, states.NEEDS_ATTENTION, states.FAILED, states.DEAD})


@dataclass
class Recorded:
    document: SourceDocumentRow
    version: DocumentVersion
    is_new_version: bool


async def find_document(session: AsyncSession, ref: DocumentRef) -> SourceDocumentRow | None:
    stmt = select(SourceDocumentRow).where(
        col(SourceDocumentRow.source) == ref.source,
        col(SourceDocumentRow.kind) == ref.kind.value,
        col(SourceDocumentRow.external_id) == ref.id,
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def record_version(session: AsyncSession, doc: SourceDocument, *, now: datetime) -> Recorded:
    """Store what the source says now; a changed document becomes a new version.

    Older versions that never posted are superseded by the new one (their history says so).
    """
    row = await find_document(session, doc.ref)
    if row is None:
        row = SourceDocumentRow(
            source=doc.source,
            kind=doc.kind.value,
            external_id=doc.id,
            project_id=doc.project.id,
            created_at=now,
            updated_at=now,
        )
    row.number, row.title, row.url = doc.number, doc.title[:512], doc.url
    row.contract_id = doc.contract_id[:64]
    row.counterparty = (doc.vendor.name if doc.vendor else doc.project.name)[:256]
    row.updated_at = now
    session.add(row)
    await session.flush()
    assert row.id is not None

    digest = doc.content_hash()
    existing = (
        await session.execute(
            select(DocumentVersion).where(
                col(DocumentVersion.document_id) == row.id,
                col(DocumentVersion.content_hash) == digest,
            )
        )
    ).scalar_one_or_none()
    if existing is not None and existing.id == row.current_version_id:
        if existing.payload is None and existing.state not in states.SETTLED:
            existing.payload = doc.model_dump_json()
        return Recorded(row, existing, is_new_version=False)
    if existing is not None:
        # Back to what an earlier version said (approved again after a void; a revision
        # undone): that is a change from the current version, so the earlier one is current
        # again and goes through the pipeline anew (the link decides what the target needs).
        return await _revived(session, row, existing, doc, now=now)

    version = DocumentVersion(
        document_id=row.id,
        content_hash=digest,
        payload=doc.model_dump_json(),
        source_status=doc.status[:32],
        approved=doc.approved,
        total=str(doc.total),
        line_count=len(doc.lines),
        state=states.RECEIVED,
        created_at=now,
        updated_at=now,
    )
    session.add(version)
    await session.flush()
    assert version.id is not None
    await add_history(
        session,
        row.id,
        version.id,
        "",
        states.RECEIVED,
        "fetched from source",
        now=now,
        detail=f"status {doc.status}, {len(doc.lines)} lines, {doc.total}",
    )
    return await _made_current(session, row, version, now=now)


async def _revived(
    session: AsyncSession,
    row: SourceDocumentRow,
    version: DocumentVersion,
    doc: SourceDocument,
    *,
    now: datetime,
) -> Recorded:
    assert row.id is not None and version.id is not None
    version.payload = doc.model_dump_json()
    version.source_status, version.approved = doc.status[:32], doc.approved
    version.attempts, version.last_error, version.outcome_unknown = 0, "", False
    version.next_attempt_at = None
    await transition(
        session,
        version,
        states.RECEIVED,
        "fetched from source",
        now=now,
        detail=f"status {doc.status}, {len(doc.lines)} lines, {doc.total}: the same again as "
        f"version {version.id} said",
    )
    return await _made_current(session, row, version, now=now)


async def _made_current(
    session: AsyncSession, row: SourceDocumentRow, version: DocumentVersion, *, now: datetime
) -> Recorded:
    """``version`` is the document's current one; older ones not posted give way to it."""
    assert row.id is not None and version.id is not None
    for older in await _replaceable_versions(session, row.id, exclude=version.id):
        await transition(
            session,
            older,
            states.SUPERSEDED,
            "newer version in source",
            now=now,
            detail=f"replaced by version {version.id}",
        )
    row.current_version_id = version.id
    session.add(row)
    return Recorded(row, version, is_new_version=True)


async def _replaceable_versions(
    session: AsyncSession, document_id: int, *, exclude: int
) -> list[DocumentVersion]:
    stmt = select(DocumentVersion).where(
        col(DocumentVersion.document_id) == document_id,
        col(DocumentVersion.id) != exclude,
        col(DocumentVersion.state).in_(states.REPLACEABLE),
    )
    return list((await session.execute(stmt)).scalars())


async def transition(
    session: AsyncSession,
    version: DocumentVersion,
    to_state: str,
    cause: str,
    *,
    now: datetime,
    actor: str = "system",
    detail: str = "",
    reasons: Sequence[AttentionReason] | None = None,
) -> None:
    """Move a version to a new state and record why, in one place."""
    from_state = version.state
    version.state = to_state
    version.updated_at = now
    if reasons is not None:
        version.reasons = json.dumps([_reason_json(r) for r in reasons])
    elif to_state != states.NEEDS_ATTENTION:
        version.reasons = "[]"
    session.add(version)
    assert version.id is not None
    await add_history(
        session,
        version.document_id,
        version.id,
        from_state,
        to_state,
        cause,
        now=now,
        actor=actor,
        detail=detail,
    )
    if to_state in NOTIFY_STATES:
        # Durable and atomic with the transition: whoever tells people (Slack) runs later from
        # the queue, so a crash cannot lose the notice nor send one for a rolled-back change.
        await queue.enqueue(
            session,
            key=f"notify:{version.document_id}",
            kind="notify",
            data={"document_id": version.document_id, "version_id": version.id, "state": to_state},
            now=now,
        )


async def add_history(
    session: AsyncSession,
    document_id: int,
    version_id: int | None,
    from_state: str,
    to_state: str,
    cause: str,
    *,
    now: datetime,
    actor: str = "system",
    detail: str = "",
) -> None:
    session.add(
        HistoryEntry(
            document_id=document_id,
            version_id=version_id,
            from_state=from_state,
            to_state=to_state,
            cause=cause[:64],
            actor=actor,
            detail=detail,
            at=now,
        )
    )


def _reason_json(reason: AttentionReason) -> dict[str, object]:
    return {
        "kind": reason.kind,
        "message": reason.message,
        "line_id": reason.line_id,
        "data": dict(reason.data),
    }


def reasons_of(version: DocumentVersion) -> list[AttentionReason]:
    return [
        AttentionReason(
            kind=r["kind"], message=r["message"], line_id=r.get("line_id"), data=r.get("data") or {}
        )
        for r in json.loads(version.reasons or "[]")
    ]


def payload_of(version: DocumentVersion) -> SourceDocument | None:
    """The version as the source had it; None once the payload was purged (after posting)."""
    return SourceDocument.model_validate_json(version.payload) if version.payload else None


async def enqueue_sync(
    session: AsyncSession,
    ref: DocumentRef,
    *,
    now: datetime,
    listed: Mapping[str, Any] | None = None,
) -> None:
    """Queue a sync of one document (coalesced with any sync of it already waiting).

    ``listed``: the document as a list call answered it (``sync.sources.base.Listed``), so
    the sync does not read it again. A later enqueue without it (a webhook: it changed since)
    replaces the data, so a stale answer is never used.
    """
    data: dict[str, Any] = {"ref": json.loads(ref.model_dump_json())}
    if listed is not None:
        data["listed"] = json.loads(json.dumps(listed, default=str))  # Decimals as text
    await queue.enqueue(
        session, key=f"sync:{ref.source}:{ref.kind.value}:{ref.id}", kind="sync", data=data, now=now
    )


def ref_of(row: SourceDocumentRow) -> DocumentRef:
    """What a sync of this document is queued with."""
    kind = DocumentKind(row.kind)
    return DocumentRef(source=row.source, kind=kind, id=row.external_id, project_id=row.project_id)


async def wake_waiting(session: AsyncSession, *, now: datetime) -> int:
    """A system that was away is back: every document waiting on one tries again now.

    One still away goes back to waiting at no cost (no attempt is spent on waiting)."""
    rows = await session.execute(
        select(SourceDocumentRow, DocumentVersion)
        .join(DocumentVersion, col(DocumentVersion.id) == col(SourceDocumentRow.current_version_id))
        .where(col(DocumentVersion.state) == states.WAITING)
        .order_by(col(SourceDocumentRow.id))
    )
    woken = 0
    for row, version in rows.all():
        version.next_attempt_at = now
        session.add(version)
        await enqueue_sync(session, ref_of(row), now=now)
        woken += 1
    return woken


async def wake_change_orders(
    session: AsyncSession, commitment: SourceDocumentRow, *, now: datetime
) -> int:
    """The commitment's sync ended (or its purchase order was answered for): its change
    orders waiting to amend it look again now (sync.engine.amend)."""
    rows = await session.execute(
        select(SourceDocumentRow)
        .join(DocumentVersion, col(DocumentVersion.id) == col(SourceDocumentRow.current_version_id))
        .where(
            col(SourceDocumentRow.source) == commitment.source,
            col(SourceDocumentRow.kind) == DocumentKind.COMMITMENT_CHANGE_ORDER.value,
            col(SourceDocumentRow.contract_id) == commitment.external_id,
            col(DocumentVersion.state) == states.WAITING,
        )
    )
    woken = 0
    for row in rows.scalars():
        version = await current_version(session, row)
        if version is not None:
            version.next_attempt_at = now
            session.add(version)
        await enqueue_sync(session, ref_of(row), now=now)
        woken += 1
    return woken


def label(row: SourceDocumentRow) -> str:
    """``"commitment change order 001 (document 4)"``."""
    return f"{row.kind.replace('_', ' ')} {row.number} (document {row.id})"


class DocumentLookupError(LookupError):
    """No document, or several, answer to what a person typed: the message says which."""


async def select_document(session: AsyncSession, selector: str) -> SourceDocumentRow:
    """``42`` (costbridge's document id, else a source id), ``procore:1039`` (a source id)."""
    source, _, ext = selector.rpartition(":")
    if not source and selector.isdigit():
        row = await session.get(SourceDocumentRow, int(selector))
        if row is not None:
            return row
    stmt = select(SourceDocumentRow).where(col(SourceDocumentRow.external_id) == ext)
    if source:
        stmt = stmt.where(col(SourceDocumentRow.source) == source)
    rows = list((await session.execute(stmt.order_by(col(SourceDocumentRow.id)))).scalars())
    if not rows:
        raise DocumentLookupError(f"no document {selector!r} (give a document id or a Procore id)")
    if len(rows) > 1:
        shown = ", ".join(label(r) for r in rows)
        raise DocumentLookupError(
            f"{selector!r} is several documents ({shown}); give the document id"
        )
    return rows[0]


async def current_version(session: AsyncSession, row: SourceDocumentRow) -> DocumentVersion | None:
    """The document's current version; None before its first fetch completed."""
    if row.current_version_id is None:
        return None
    return await session.get(DocumentVersion, row.current_version_id)
