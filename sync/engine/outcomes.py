"""What becomes of a version once its write has an outcome: posted, refused, or dead.

Shared by the pipeline (QuickBooks Online answers inside the call) and by targets that answer
later (the Web Connector delivers QuickBooks Desktop's answer on its next poll). Both record
the same link, the same transitions and the same history, so a document reads the same in
Slack, the dashboard and ``costbridge status`` whichever accounting system it went to.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models import DeadLetter, DocumentVersion, HistoryEntry, SourceDocumentRow, TargetLink
from sync.engine import queue, states
from sync.engine.documents import add_history, enqueue_sync, ref_of, transition
from sync.engine.posting import PostResult, apply_result, find_link
from sync.errors import AttentionReason

# A person (or COSTBRIDGE_AUTO_VOID) asked for the linked document to be voided
# (sync.engine.voids.void_document); the target refused it.
VOID_REQUESTED = "void requested"
VOID_REFUSED = "void refused"
VOIDED = "voided in QuickBooks"
VOIDED_IN_TARGET = "voided in target"  # the target's answer, on the version the void was for
# States a requested void does not settle: a write in flight (the void is a sign flip's, its
# replacement follows), or already settled for good.
_NOT_SETTLED_BY_VOID = frozenset({states.POSTING, states.SKIPPED, states.SUPERSEDED})


async def record_posted(
    session: AsyncSession,
    version: DocumentVersion,
    result: PostResult,
    *,
    target: str,
    purge_payloads: bool,
    now: datetime,
    content_hash: str | None = None,
) -> None:
    """Write the link and move the version to ``posted``.

    A version that is no longer ``posting`` when a late answer arrives (a newer version
    superseded it while the Web Connector was away) keeps its state: the link is recorded
    all the same, so the newer version updates that document instead of adding a second one.
    """
    assert version.id is not None
    link = await find_link(session, version.document_id, target)
    session.add(
        apply_result(
            link,
            result,
            document_id=version.document_id,
            version_id=version.id,
            content_hash=content_hash or version.content_hash,
            target=target,
            now=now,
        )
    )
    posted = result.posted
    detail = (
        f"{posted.kind.value} {posted.doc_number or posted.id} (id {posted.id}), "
        f"total {posted.total}"
    )
    if result.notes:
        detail += "; text fitted: " + "; ".join(result.notes)
    if version.state != states.POSTING:
        await add_history(
            session,
            version.document_id,
            version.id,
            version.state,
            version.state,
            f"written in target while {version.state}",
            now=now,
            detail=detail,
        )
        return
    version.outcome_unknown = False
    version.last_error = ""
    if purge_payloads:
        version.payload = None  # ids, amounts, status and history stay
    await transition(
        session, version, states.POSTED, f"posted ({result.operation})", now=now, detail=detail
    )


async def needs_human(
    session: AsyncSession,
    version: DocumentVersion,
    now: datetime,
    reasons: Sequence[AttentionReason],
    detail: str = "",
) -> None:
    text = detail or "; ".join(r.message for r in reasons)
    await transition(
        session,
        version,
        states.NEEDS_ATTENTION,
        "needs a human",
        now=now,
        detail=text,
        reasons=reasons,
    )


async def bury(session: AsyncSession, version: DocumentVersion, error: str, now: datetime) -> None:
    """Dead-letter the version: payload and error kept for ``costbridge retry``."""
    session.add(
        DeadLetter(
            subject=f"version:{version.id}",
            document_id=version.document_id,
            version_id=version.id,
            payload=version.payload or "{}",
            error=error,
            created_at=now,
        )
    )
    await transition(session, version, states.DEAD, "retries exhausted", now=now, detail=error)


async def note(
    session: AsyncSession, version: DocumentVersion, cause: str, detail: str, *, now: datetime
) -> None:
    """A history line without a state change (a warning from the target, a late answer)."""
    assert version.id is not None
    await add_history(
        session,
        version.document_id,
        version.id,
        version.state,
        version.state,
        cause,
        now=now,
        detail=detail,
    )


async def record_voided(
    session: AsyncSession,
    version: DocumentVersion | None,
    link: TargetLink,
    *,
    target_id: str,
    detail: str,
    now: datetime,
) -> bool:
    """The linked document was voided (or deleted) in the target: the link says so.

    Only the document that was asked for: a link that meanwhile holds another document (or
    one already recorded as voided) is left as it is, so a late or repeated answer can never
    mark the wrong document. Returns whether it was recorded.

    A void a person asked for (``pending_void``: the document's latest word on voids) settles
    the document's current version — the one asked about, or a newer one read while the void
    waited for the Web Connector: ``skipped``, "voided in QuickBooks", with that person as
    actor, and a notice for whoever tells people (the Slack message is edited to "voided"). A
    newer version that posted meanwhile (re-approved, an update behind the void) is not
    settled: it syncs again, and posts as a new document.
    """
    if link.voided or link.target_id != target_id:
        return False
    requested = await pending_void(session, link.document_id)
    _mark_voided(session, link, now)
    if link.amends_document_id is None:
        await _void_amending(session, link, now)
    if version is not None:
        await note(session, version, VOIDED_IN_TARGET, detail, now=now)
    current = await _current_version(session, link.document_id)
    if requested is None or current is None or current.state in _NOT_SETTLED_BY_VOID:
        return True
    if current.state == states.POSTED and current.id != requested.version_id:
        document = await session.get(SourceDocumentRow, link.document_id)
        assert document is not None
        await enqueue_sync(session, ref_of(document), now=now)
        return True
    await transition(
        session, current, states.SKIPPED, VOIDED, now=now, actor=requested.actor, detail=detail
    )
    await queue.enqueue(
        session,
        key=f"notify:{current.document_id}",
        kind="notify",
        data={
            "document_id": current.document_id,
            "version_id": current.id,
            "state": states.SKIPPED,
        },
        now=now,
    )
    return True


async def _current_version(session: AsyncSession, document_id: int) -> DocumentVersion | None:
    document = await session.get(SourceDocumentRow, document_id)
    if document is None or document.current_version_id is None:
        return None
    return await session.get(DocumentVersion, document.current_version_id, with_for_update=True)


def _mark_voided(session: AsyncSession, link: TargetLink, now: datetime) -> None:
    voided = json.loads(link.voided_history or "[]")
    voided.append({"kind": link.target_kind, "id": link.target_id, "at": now.isoformat()})
    link.voided_history = json.dumps(voided)
    link.voided = True
    link.voided_kind = link.target_kind
    link.voided_target_id = link.target_id
    link.voided_at = now
    link.updated_at = now
    session.add(link)


async def _void_amending(session: AsyncSession, link: TargetLink, now: datetime) -> None:
    """Change orders whose lines amended the purchase order just voided went with it."""
    rows = await session.execute(
        select(TargetLink).where(
            col(TargetLink.target) == link.target,
            col(TargetLink.target_id) == link.target_id,
            col(TargetLink.amends_document_id) == link.document_id,
            col(TargetLink.voided).is_(False),
        )
    )
    for other in rows.scalars():
        _mark_voided(session, other, now)
        row = await session.get(SourceDocumentRow, other.document_id)
        if row is None or row.current_version_id is None:
            continue
        version = await session.get(DocumentVersion, row.current_version_id)
        if version is not None:
            await note(
                session,
                version,
                VOIDED_IN_TARGET,
                f"its lines went with {link.target_kind} {link.doc_number or link.target_id}, "
                "the commitment's purchase order, voided or deleted",
                now=now,
            )


async def pending_void(session: AsyncSession, document_id: int) -> HistoryEntry | None:
    """The document's "void requested" line when it is still pending: asked, and neither
    refused nor done since (whichever version it was asked on)."""
    stmt = (
        select(HistoryEntry)
        .where(
            col(HistoryEntry.document_id) == document_id,
            col(HistoryEntry.cause).in_((VOID_REQUESTED, VOID_REFUSED, VOIDED_IN_TARGET)),
        )
        .order_by(col(HistoryEntry.id).desc())
        .limit(1)
    )
    latest = (await session.execute(stmt)).scalar_one_or_none()
    return latest if latest is not None and latest.cause == VOID_REQUESTED else None
