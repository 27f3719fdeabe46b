"""QuickBooks' answers to voids and deletes, and the removal of a voided change order's lines
from its commitment's purchase order (a read, then a Mod without them: never a delete)."""

from __future__ import annotations

import json
from dataclasses import replace

from lxml import etree
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import TargetLink
from db.models_qbd import QbdCompanyFile, QbdRequest
from sync.engine import outcomes
from sync.engine.posting import find_link, ownership_of
from sync.models import TargetKind
from sync.targets.qbd import busy, outbox, settle, sparse, txn_answers
from sync.targets.qbd import requests as rq
from sync.targets.qbd.company import target_name
from sync.targets.qbd.responses import (
    STATUS_NOT_FOUND,
    STATUS_STALE_EDIT_SEQUENCE,
    Rs,
    text_of,
)
from sync.targets.qbd.settle import Context


async def void_answer(
    session: AsyncSession, company: QbdCompanyFile, row: QbdRequest, rs: Rs, ctx: Context
) -> None:
    """TxnVoidRs / TxnDelRs, or the read after a void whose answer never came."""
    if rs.code in busy.IN_USE_CODES:
        if busy.hold(row, now=ctx.now, settings=ctx.settings):
            await settle.note(session, row, "target busy, waiting", busy.waiting(row, rs), ctx)
        else:
            await _void_refused(session, row, busy.plain(rs, row.attempts, "this void"), ctx)
        return
    if row.amends_document_id is not None:
        await _removal_answer(session, company, row, rs, ctx)
        return
    if row.step == "check" and rs.ok:
        ret = rs.rets[0] if rs.rets else None  # none: no such TxnID any more (deleted)
        if ret is None or text_of(ret, "Memo").startswith(rq.VOIDED_MEMO):
            await _voided(session, company, row, "found voided or gone after a lost answer", ctx)
        else:  # it never landed: void it now
            row.state, row.step, row.verify = outbox.QUEUED, "", False
        return
    if rs.ok:
        verb = "voided" if TargetKind(row.target_kind) in rq.VOIDABLE else "deleted"
        await _voided(session, company, row, f"{verb} (QuickBooks {rs.tag})", ctx)
    elif rs.code == STATUS_NOT_FOUND:
        await _voided(session, company, row, f"already gone: {rs.message}", ctx)
    else:
        message = (
            f"QuickBooks Desktop refused to void {row.target_kind} {row.txn_id} ({rs.code}): "
            f"{rs.message.rstrip('.')}. Void it in QuickBooks yourself, then retry the change "
            "order (a replacement of the other kind follows) or skip it."
        )
        await _void_refused(session, row, message, ctx)


async def render_removal(
    session: AsyncSession,
    company: QbdCompanyFile,
    row: QbdRequest,
    link: TargetLink | None,
    ctx: Context,
) -> etree._Element | None:
    """A voided change order's lines come off its commitment's purchase order, which stays:
    read it with its lines, then Mod it without them (``_removal_answer``). Never a delete."""
    kind = TargetKind(row.target_kind)
    if txn_answers.amending(row, link) is None or link is None or link.target_id != row.txn_id:
        # its lines went with the purchase order (the commitment was voided), or were removed
        await _voided(session, company, row, "its lines were no longer on it", ctx)
        return None
    if row.step != "mod":
        row.step = "read"
        return rq.txn_read(kind, row.txn_id, row.request_id, lines=True)
    return rq.txn_mod(
        kind,
        {"lines": []},
        row.request_id,
        txn_id=row.txn_id,
        edit_sequence=row.edit_sequence,
        po_item=ctx.settings.qbd_po_item,
        plan=json.loads(row.merge),
        header=False,
    )


async def _removal_answer(
    session: AsyncSession, company: QbdCompanyFile, row: QbdRequest, rs: Rs, ctx: Context
) -> None:
    """The read, then the Mod, that take a voided change order's lines off the purchase order."""
    named = f"{row.target_kind} {row.txn_id}"
    if row.step == "mod":
        if rs.code == STATUS_STALE_EDIT_SEQUENCE:  # changed since our read: read it again
            row.state, row.step, row.edit_sequence, row.merge = outbox.QUEUED, "", "", ""
        elif rs.ok:
            await _voided(session, company, row, f"its lines removed (QuickBooks {rs.tag})", ctx)
        else:
            message = (
                f"QuickBooks Desktop refused to take this change order's lines off {named} "
                f"({rs.code}): {rs.message.rstrip('.')}. Delete them there yourself, then "
                "skip the change order."
            )
            await _void_refused(session, row, message, ctx)
        return
    if rs.code == STATUS_NOT_FOUND or (rs.ok and not rs.rets):
        await _voided(session, company, row, f"{named} is gone, its lines with it", ctx)
        return
    if not rs.ok:
        await _void_refused(session, row, f"QuickBooks Desktop {rs.code}: {rs.message}", ctx)
        return
    link = await find_link(session, row.document_id or 0, target_name(company.name))
    if link is None:
        row.state = outbox.DONE
        return
    ret, kind = rs.rets[0], TargetKind(row.target_kind)
    ownership = replace(ownership_of(link), overwrite=True)
    ours = set(ownership.line_ids.values())
    if not any(text_of(line, "TxnLineID") in ours for _, line in sparse.ret_lines(ret)):
        await _voided(session, company, row, "its lines were no longer on it", ctx)
        return
    plan = sparse.mod_plan(kind, {"lines": []}, ret, ownership)
    if not plan:
        # A Mod that names no line keeps every line, and a purchase order has no ClearItemLines.
        message = (
            f"{named} holds only this change order's lines, and QuickBooks Desktop cannot take "
            "every line off a purchase order: delete them (or the purchase order) there, then "
            "skip the change order."
        )
        await _void_refused(session, row, message, ctx)
        return
    row.state, row.step, row.merge = outbox.QUEUED, "mod", json.dumps(plan)
    row.edit_sequence = text_of(ret, "EditSequence")


async def _voided(
    session: AsyncSession, company: QbdCompanyFile, row: QbdRequest, how: str, ctx: Context
) -> None:
    row.state = outbox.DONE
    link = await find_link(session, row.document_id or 0, target_name(company.name))
    if link is None:
        return
    await outcomes.record_voided(
        session,
        await settle.version_of(session, row),
        link,
        target_id=row.txn_id,
        detail=f"{row.target_kind} {link.doc_number or row.txn_id} (TxnID {row.txn_id}) {how}",
        now=ctx.now,
    )


async def _void_refused(session: AsyncSession, row: QbdRequest, message: str, ctx: Context) -> None:
    """The old document stays live: its replacement must not be added next to it. The void
    is no longer pending (``outcomes.pending_void``): a person decides what next."""
    await outbox.cancel_behind(session, row, now=ctx.now)
    await settle.note(session, row, outcomes.VOID_REFUSED, message, ctx)
    await settle.needs_person(session, row, message, int(row.last_status or 0), ctx)
