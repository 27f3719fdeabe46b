"""The life of one document: fetch → record version → map → post, with every transition recorded.

Pure decisions live elsewhere (``mappings``, ``sync.engine.retry``, ``sync.engine.routes``); this
module only sequences them and keeps the database true at every step, so a crash anywhere
resumes cleanly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models import DocumentVersion, HistoryEntry, SourceDocumentRow, TargetLink
from sync.engine import amend, conflicts, credits, outcomes, states
from sync.engine.documents import (
    current_version,
    find_document,
    record_version,
    transition,
    wake_change_orders,
)
from sync.engine.mapping_step import map_for_target
from sync.engine.posting import PostResult, find_link, post_document, reissue_of
from sync.engine.replace import void_replaced
from sync.engine.retry import Reschedule, next_attempt_at
from sync.engine.routes import document_key
from sync.engine.voids import VoidRefused, posted_label, void_document
from sync.errors import (
    AttentionReason,
    CostbridgeError,
    FatalError,
    NeedsHumanError,
    NotFoundError,
    RetryableError,
    SystemAwayError,
)
from sync.models import DocumentKind, DocumentRef, MappedDocument, SourceDocument, TargetKind
from sync.service import Service
from sync.targets.base import OutcomeToFollow

log = structlog.get_logger("costbridge.pipeline")
# Procore's status of a change order voided there (as final as deleted, for COSTBRIDGE_AUTO_VOID).
VOIDED_IN_SOURCE = "void"
AUTO_VOID_ACTOR = "auto-void"


async def sync_document(
    svc: Service, ref: DocumentRef, *, listed: Mapping[str, Any] | None = None
) -> None:
    """Bring the target in line with what the source says about ``ref`` now (``listed``: what
    the sweep's list answered for it, ``sync.engine.documents.enqueue_sync``)."""
    await _sync_document(svc, ref, listed)
    if ref.kind is DocumentKind.COMMITMENT:
        # Read, and posted or settled on a state (waiting for approval, for a person, skipped):
        # change orders waiting for it look again (sync.engine.amend). A commitment that must
        # try again later wakes them when it does.
        await _wake_change_orders(svc, ref)


async def _wake_change_orders(svc: Service, ref: DocumentRef) -> None:
    async with svc.sessions() as session, session.begin():
        row = await find_document(session, ref)
        if row is not None:
            await wake_change_orders(session, row, now=svc.clock.now())


async def _sync_document(svc: Service, ref: DocumentRef, listed: Mapping[str, Any] | None) -> None:
    bound = log.bind(source=ref.source, kind=ref.kind.value, document=ref.id)
    try:
        doc = await svc.source(ref.source).fetch(ref, listed)
    except NotFoundError:
        await _source_gone(svc, ref)
        return
    bound.info("pipeline.fetched", status=doc.status, lines=len(doc.lines), total=str(doc.total))
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        recorded = await record_version(session, doc, now=now)
        version = recorded.version
        if version.state in states.SETTLED or version.state == states.SNOOZED:
            bound.info("pipeline.settled", state=version.state, version=version.id)
            return
        if (
            version.state in (states.FAILED, states.WAITING)
            and version.next_attempt_at
            and (version.next_attempt_at > now)
        ):
            raise Reschedule(version.next_attempt_at)
        if version.state == states.RECEIVED:
            await transition(session, version, states.FETCHED, "fetched", now=now)
        link = await find_link(session, recorded.document.id or 0, svc.target.name)
        auto_void = False
        if not doc.approved and await _void_pending(session, link):
            # Asked and answered: the void waits for the target (the Web Connector), and its
            # answer settles the document; asking again would reopen the answered question.
            bound.info("pipeline.void_pending", status=doc.status)
        elif not doc.approved:
            if version.state != states.FETCHED:
                await transition(session, version, states.FETCHED, "waiting for approval", now=now)
            reason = AttentionReason(
                kind="source_unapproved",
                message=f"Change order {doc.number} is now '{doc.status}' in Procore but "
                f"was already posted as {posted_label(link) if link else ''}; void it in "
                "QuickBooks?",
            )
            if link is not None and not link.voided:
                # Voided in Procore is as final as deleted; only un-approved always asks.
                auto_void = svc.settings.auto_void and doc.status == VOIDED_IN_SOURCE
                if not auto_void:
                    await _needs_human(session, version, now, [reason])
            bound.info("pipeline.waiting_approval", status=doc.status)
    if not doc.approved:
        if auto_void:
            await _auto_void(svc, recorded.document.id or 0, reason, why="voided in Procore")
        return
    await _map_and_post(svc, doc, version.id or 0)


async def _auto_void(svc: Service, document_id: int, reason: AttentionReason, *, why: str) -> None:
    """``COSTBRIDGE_AUTO_VOID``: void what posted without asking; a refusal asks a person.

    A retryable error propagates: the work item runs again, and the void (same request id,
    the target looks first) is never done twice.
    """
    try:
        await void_document(svc, str(document_id), actor=AUTO_VOID_ACTOR, why=why)
    except VoidRefused as exc:
        async with svc.sessions() as session, session.begin():
            row = await session.get(SourceDocumentRow, document_id)
            version = await current_version(session, row) if row is not None else None
            if version is not None and version.state not in states.SETTLED:
                await _needs_human(
                    session, version, svc.clock.now(), [reason], detail=f"{reason.message} {exc}"
                )
        log.warning("pipeline.auto_void_refused", document=document_id, error=str(exc))


async def _map_and_post(svc: Service, doc: SourceDocument, version_id: int) -> None:
    """Map and post; any failure from here on counts against this version's attempts."""
    try:
        await _map_and_post_once(svc, doc, version_id)
    except SystemAwayError as exc:
        await _wait(svc, version_id, exc)
    except RetryableError as exc:
        await _failed(svc, version_id, exc)
    except FatalError as exc:
        await _dead(svc, version_id, exc)


@dataclass(frozen=True)
class _Plan:
    """Everything needed to write one version, decided inside one transaction."""

    mapped: MappedDocument
    kind: TargetKind
    link: TargetLink | None
    look_first: bool
    content_hash: str
    amend: TargetLink | None = None  # the commitment whose purchase order this amends


async def _map_and_post_once(svc: Service, doc: SourceDocument, version_id: int) -> None:
    bound = log.bind(kind=doc.kind.value, document=doc.id, version=version_id)
    amending = await amend.plan(svc, doc)
    if amending.wait:
        # Not a failure: the commitment's sync wakes it (no attempt spent).
        raise SystemAwayError(
            amending.wait, system=doc.source, retry_after=svc.settings.retry_max_seconds
        )
    plan = await _plan(svc, doc, version_id, amending.commitment)
    if plan is None:
        return
    bound.info("pipeline.mapped", target_kind=plan.kind.value, lines=len(plan.mapped.lines))
    key = document_key(doc.source, doc.kind, doc.id)
    try:
        # The sign flipped since the linked document was written: void it first.
        link = plan.link
        if plan.amend is None:
            link = await void_replaced(svc, version_id, plan.link, plan.kind, key)
        result = await post_document(
            svc.target,
            plan.mapped,
            kind=plan.kind,
            document_key=key,
            content_hash=plan.content_hash,
            target_account=svc.target_account,
            link=link,
            look_first=plan.look_first,
            amend=plan.amend,
        )
    except NeedsHumanError as exc:
        await _park(svc, version_id, exc.reasons, detail=str(exc))
        bound.warning("pipeline.target_rejected", error=str(exc))
        return
    except OutcomeToFollow as accepted:
        # QuickBooks Desktop: the write waits in the Web Connector's queue. The version stays
        # `posting`; the answer moves it on later through sync.engine.outcomes, with the same
        # history.
        await _accepted(svc, version_id, accepted)
        bound.info("pipeline.accepted", detail=accepted.detail)
        return
    except NotFoundError as exc:
        missing = f"{plan.kind.value} {plan.link.doc_number if plan.link else ''}".strip()
        reason = AttentionReason(
            kind="target_missing",
            message=f"{missing} no longer exists in QuickBooks (deleted there?); "
            "post the change order again?",
        )
        await _park(svc, version_id, [reason], detail=str(exc))
        bound.warning("pipeline.target_missing", error=str(exc))
        return
    await _record_posted(svc, version_id, result)
    bound.info("pipeline.posted", operation=result.operation, target_id=result.posted.id)


async def _plan(
    svc: Service, doc: SourceDocument, version_id: int, amending: TargetLink | None
) -> _Plan | None:
    """Map the version; park it for a human, or mark it posting and say how to write it."""
    async with svc.sessions() as session, session.begin():
        # Locked: the Web Connector's answer (sync.engine.outcomes) may move this version meanwhile.
        version = await session.get(DocumentVersion, version_id, with_for_update=True)
        assert version is not None
        if version.state in states.SETTLED:
            # A target that answers later (the Web Connector) may have posted it meanwhile.
            return None
        now = svc.clock.now()
        link = await find_link(session, version.document_id, svc.target.name)
        if link is not None and link.detached_at is not None:
            await conflicts.skip_detached(session, version, link, now=now)
            return None
        # The route and the sign decide the kind (a credit when the total is negative; lines
        # amending a purchase order keep their sign there); None: nothing to write, already
        # recorded (skipped, or parked for a person).
        kind = await credits.route(
            session, svc.settings, doc, version, link, now=now, amending=amending is not None
        )
        if kind is None:
            return None
        mapping = await map_for_target(svc, session, doc, kind)
        if mapping.reasons:
            await _needs_human(session, version, now, mapping.reasons)
            log.info(
                "pipeline.needs_attention",
                document=doc.id,
                reasons=[r.kind for r in mapping.reasons],
            )
            return None
        assert mapping.mapped is not None
        # Any earlier write of this document (this version or an older one) may have landed
        # without our seeing it: a crash mid-post, a timeout, a dropped connection. Then the
        # target is searched before anything is created.
        look_first = version.outcome_unknown or await _ever_posted(session, version.document_id)
        if version.state != states.MAPPED:
            await transition(
                session,
                version,
                states.MAPPED,
                "mapped",
                now=now,
                detail=f"{len(mapping.mapped.lines)} lines to {kind.value}",
            )
        await transition(
            session,
            version,
            states.POSTING,
            "posting",
            now=now,
            detail=f"attempt {version.attempts + 1}",
        )
        if amending is not None:
            mapped = amend.tagged(mapping.mapped)
        else:
            mapped = credits.for_kind(mapping.mapped, kind)
            mapped = mapped.model_copy(update={"reissue": reissue_of(link, kind)})
        return _Plan(mapped, kind, link, look_first, version.content_hash, amending)


async def _ever_posted(session: AsyncSession, document_id: int) -> bool:
    stmt = (
        select(func.count())
        .select_from(HistoryEntry)
        .where(
            col(HistoryEntry.document_id) == document_id,
            col(HistoryEntry.to_state) == states.POSTING,
        )
    )
    return bool((await session.execute(stmt)).scalar_one())


async def _park(
    svc: Service, version_id: int, reasons: Sequence[AttentionReason], detail: str
) -> None:
    async with svc.sessions() as session, session.begin():
        version = await session.get(DocumentVersion, version_id)
        assert version is not None
        await _needs_human(session, version, svc.clock.now(), reasons, detail=detail)


async def _record_posted(svc: Service, version_id: int, result: PostResult) -> None:
    async with svc.sessions() as session, session.begin():
        version = await session.get(DocumentVersion, version_id)
        assert version is not None
        await outcomes.record_posted(
            session,
            version,
            result,
            target=svc.target.name,
            purge_payloads=svc.settings.purge_payloads,
            now=svc.clock.now(),
        )


async def _accepted(svc: Service, version_id: int, accepted: OutcomeToFollow) -> None:
    """Record "accepted, outcome to follow": a history line, the version stays `posting`."""
    async with svc.sessions() as session, session.begin():
        version = await session.get(DocumentVersion, version_id, with_for_update=True)
        assert version is not None
        if version.state != states.POSTING:
            return  # the answer was quicker than this line: it already moved the version on
        await transition(
            session,
            version,
            states.POSTING,
            "accepted, outcome to follow",
            now=svc.clock.now(),
            detail=accepted.detail,
        )


# Shared with targets that answer later (sync.engine.outcomes); kept under their old names here.
_needs_human = outcomes.needs_human


async def _failed(svc: Service, version_id: int, exc: RetryableError) -> None:
    """Count the attempt; back off, or dead-letter once the attempts are used up."""
    async with svc.sessions() as session, session.begin():
        version = await session.get(DocumentVersion, version_id)
        assert version is not None
        now = svc.clock.now()
        version.attempts += 1
        version.outcome_unknown = version.outcome_unknown or exc.outcome_unknown
        version.last_error = str(exc)
        if version.attempts >= svc.settings.retry_max_attempts:
            await _bury(session, version, str(exc), now)
            log.error(
                "pipeline.dead", version=version_id, attempts=version.attempts, error=str(exc)
            )
            return
        at = next_attempt_at(svc.settings, version.attempts, now, retry_after=exc.retry_after)
        version.next_attempt_at = at
        await transition(
            session,
            version,
            states.FAILED,
            "retryable error",
            now=now,
            detail=f"attempt {version.attempts}: {exc}; next try {at.isoformat()}",
        )
    log.warning(
        "pipeline.retry_scheduled",
        version=version_id,
        attempts=version.attempts,
        error=str(exc),
        next_attempt_at=at.isoformat(),
    )
    raise Reschedule(at)


async def _wait(svc: Service, version_id: int, exc: SystemAwayError) -> None:
    """Wait for a system that is away: no attempt spent; again later, or when it is back."""
    async with svc.sessions() as session, session.begin():
        version = await session.get(DocumentVersion, version_id)
        assert version is not None
        now = svc.clock.now()
        at = now + timedelta(seconds=exc.retry_after or svc.settings.retry_max_seconds)
        version.next_attempt_at = at
        version.last_error = str(exc)
        if version.state != states.WAITING:  # one history line per wait, not one per look
            await transition(session, version, states.WAITING, exc.message, now=now)
    log.info("pipeline.waiting", version=version_id, reason=exc.message, until=at.isoformat())
    raise Reschedule(at)


async def _dead(svc: Service, version_id: int, exc: CostbridgeError) -> None:
    async with svc.sessions() as session, session.begin():
        version = await session.get(DocumentVersion, version_id)
        assert version is not None
        version.last_error = str(exc)
        await _bury(session, version, str(exc), svc.clock.now())
    log.error("pipeline.fatal", version=version_id, error=str(exc))


_bury = outcomes.bury


async def _source_gone(svc: Service, ref: DocumentRef) -> None:
    """The source no longer has the document: never silently keep or drop what posted."""
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        row = await find_document(session, ref)
        if row is None or row.current_version_id is None:
            log.info("pipeline.gone_unknown", document=ref.id)
            return
        version = await session.get(DocumentVersion, row.current_version_id)
        assert version is not None
        link = await find_link(session, row.id or 0, svc.target.name)
        reason = AttentionReason(
            kind="source_deleted",
            message=f"Change order {row.number} was deleted in Procore; it was "
            f"posted as {posted_label(link) if link else ''}. Void it?",
        )
        auto_void = False
        if await _void_pending(session, link):
            log.info("pipeline.void_pending", document=ref.id)
            return
        if link is not None and not link.voided:
            auto_void = svc.settings.auto_void
            if not auto_void:
                await _needs_human(session, version, now, [reason])
        elif version.state not in states.SETTLED:
            await transition(session, version, states.SKIPPED, "deleted in source", now=now)
    log.info("pipeline.source_deleted", document=ref.id, auto_void=auto_void)
    if auto_void:
        await _auto_void(svc, row.id or 0, reason, why="deleted in Procore")


async def _void_pending(session: AsyncSession, link: TargetLink | None) -> bool:
    """A void of the linked document was asked for and its answer has not come yet."""
    if link is None or link.voided:
        return False
    return await outcomes.pending_void(session, link.document_id) is not None
