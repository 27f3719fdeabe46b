"""How the end of a request reaches the engine: a person is needed, it is given up, a note.

Shared by the answers to documents, voids and lists (``txn_answers``, ``void_answers``,
``list_answers``); each runs in the transaction of the queue update (``exchange``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import DocumentVersion
from db.models_qbd import QbdRequest
from sync.engine import outcomes, states
from sync.errors import AttentionReason
from sync.settings import Settings
from sync.targets.qbd import outbox, parties
from sync.targets.qbd.responses import (
    STATUS_INVALID_PARENT,
    STATUS_INVALID_REFERENCE,
    STATUS_NAME_IN_USE,
    Rs,
)

log = structlog.get_logger("costbridge.qbd")
# Refusals a person resolves (a name, a reference, a value, a setting in QuickBooks).
HUMAN_CODES = frozenset(
    {STATUS_NAME_IN_USE, STATUS_INVALID_PARENT, STATUS_INVALID_REFERENCE, 3210, 3250, 3260, 3261}
)


@dataclass(frozen=True)
class Context:
    settings: Settings
    now: datetime


def plain(rs: Rs) -> str:
    if rs.code == STATUS_NAME_IN_USE:
        return f"QuickBooks Desktop says a name is already in use: {rs.message}"
    if rs.code in (STATUS_INVALID_REFERENCE, STATUS_INVALID_PARENT):
        return (
            "QuickBooks Desktop does not know an account, vendor, item, class or customer:job "
            f"this document refers to (renamed or deleted there?): {rs.message}"
        )
    return f"QuickBooks Desktop refused the document ({rs.code}): {rs.message}"


async def refused(session: AsyncSession, row: QbdRequest, rs: Rs, ctx: Context) -> None:
    if rs.code not in HUMAN_CODES:
        await give_up(session, row, f"QuickBooks {rs.code}: {rs.message}", ctx)
        return
    await needs_person(session, row, plain(rs), rs.code, ctx)


async def needs_person(
    session: AsyncSession, row: QbdRequest, message: str, code: int, ctx: Context
) -> None:
    row.state = outbox.REJECTED
    version = await version_of(session, row)
    if version is None:
        return
    reason = AttentionReason(
        kind="target_rejected", message=message, data={"code": str(code), "system": "qbd"}
    )
    if version.state in states.SETTLED:
        await outcomes.note(session, version, "target refused", message, now=ctx.now)
    else:
        await outcomes.needs_human(session, version, ctx.now, [reason], detail=message)


async def missing(session: AsyncSession, row: QbdRequest, ctx: Context) -> None:
    row.state = outbox.REJECTED
    version = await version_of(session, row)
    if version is not None and version.state not in states.SETTLED:
        reason = AttentionReason(
            kind="target_missing",
            message=f"{row.target_kind} {row.txn_id} no longer exists in QuickBooks Desktop "
            "(deleted there?); post the change order again?",
        )
        await outcomes.needs_human(session, version, ctx.now, [reason])


async def give_up(session: AsyncSession, row: QbdRequest, error: str, ctx: Context) -> None:
    row.state = outbox.FAILED
    row.last_message = error
    log.error("qbwc.request_failed", row=row.id, subject=row.subject, error=error)
    if row.kind == outbox.LIST_ADD:  # whoever asked for the vendor or job is told why not
        body = json.loads(row.body)
        await parties.answered(session, body, error=parties.not_added(body, error), now=ctx.now)
        return
    version = await version_of(session, row)
    if version is None:
        return
    if version.state in states.SETTLED:
        await outcomes.note(session, version, "target write failed", error, now=ctx.now)
    else:
        version.last_error = error
        await outcomes.bury(session, version, error, ctx.now)


async def note(
    session: AsyncSession, row: QbdRequest, cause: str, detail: str, ctx: Context
) -> None:
    version = await version_of(session, row)
    if version is not None:
        await outcomes.note(session, version, cause, detail, now=ctx.now)


async def version_of(session: AsyncSession, row: QbdRequest) -> DocumentVersion | None:
    if not row.version_id:
        return None
    # Locked: the worker may be re-planning the same version in another transaction.
    return await session.get(DocumentVersion, row.version_id, with_for_update=True)
