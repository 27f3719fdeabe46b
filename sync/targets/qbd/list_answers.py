"""QuickBooks' answers to list reads (the reference mirror, page by page) and to the vendor and
job adds a person asked for."""

from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncSession

from db.models_qbd import QbdCompanyFile, QbdRequest
from sync.engine.documents import wake_waiting
from sync.models import TargetRef
from sync.rules.store import link_entity
from sync.targets.qbd import busy, lists, outbox, parties, refresh, settle
from sync.targets.qbd.company import target_name
from sync.targets.qbd.responses import (
    STATUS_BAD_ITERATOR,
    STATUS_NAME_IN_USE,
    Rs,
)
from sync.targets.qbd.settle import Context


async def list_answer(
    session: AsyncSession, company: QbdCompanyFile, row: QbdRequest, rs: Rs, ctx: Context
) -> None:
    assert company.id is not None
    if rs.code == STATUS_BAD_ITERATOR:
        outbox.restart_read(row, ctx.now)
        return
    if not rs.ok:
        row.state = outbox.FAILED
        company.last_error = f"reading the {row.target_kind} list: {rs.code} {rs.message}"
        session.add(company)
        return
    for ret in rs.rets:
        await lists.upsert(
            session, company.id, row.target_kind, ret, run_id=row.run_id, now=ctx.now
        )
    if rs.iterator_id and rs.remaining > 0:
        row.state, row.iterator_id = outbox.QUEUED, rs.iterator_id
        return
    await lists.prune(session, company.id, row.target_kind, run_id=row.run_id)
    row.state, row.iterator_id = outbox.DONE, ""
    session.add(row)
    if await refresh.list_read(session, company, row.target_kind, now=ctx.now):
        # The first complete refresh: QuickBooks Desktop is there now, what waited goes on.
        await wake_waiting(session, now=ctx.now)


async def name_answer(
    session: AsyncSession, company: QbdCompanyFile, row: QbdRequest, rs: Rs, ctx: Context
) -> None:
    """CustomerAdd / VendorAdd; a name already in use (3100) is looked up and reused."""
    assert company.id is not None
    if row.step == "add" and rs.code == STATUS_NAME_IN_USE:
        row.state, row.step = outbox.QUEUED, "lookup"
        return
    body = json.loads(row.body)
    if rs.code in busy.IN_USE_CODES:
        if busy.hold(row, now=ctx.now, settings=ctx.settings):
            return
        await settle.give_up(session, row, busy.plain(rs, row.attempts, "it"), ctx)
        return
    if not rs.ok or not rs.rets:
        row.state = outbox.FAILED
        company.last_error = f"adding {row.subject}: {rs.code} {rs.message}"
        session.add(company)
        # after a 3100, the lookup found no such name in this list: another kind holds it
        error = parties.name_in_use(body["name"]) if row.step == "lookup" else None
        await parties.answered(
            session, body, error=str(error or f"{settle.plain(rs)}"), now=ctx.now
        )
        return
    record = await lists.upsert(
        session, company.id, row.target_kind, rs.rets[0], run_id="", now=ctx.now
    )
    row.state = outbox.DONE
    link = body.get("link") or {}
    if record is not None and link:
        await link_entity(
            session,
            source=link["source"],
            source_kind=link["source_kind"],
            source_id=link["source_id"],
            target=target_name(company.name),
            target_ref=TargetRef(id=record.list_id, name=record.full_name),
            actor=link.get("actor") or "qbwc",  # the person who asked for it, when one did
            now=ctx.now,
        )
    await parties.answered(session, body, error="", now=ctx.now)
