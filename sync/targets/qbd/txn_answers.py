"""QuickBooks' answers to document requests: an Add, a look-up after a lost answer, the read
before a Mod (with a person's edits to what we own), and the Mod; what each means for the link.

A commitment change order in ``amend`` mode (``QbdRequest.amends_document_id``) owns only its
lines on the commitment's purchase order: its Mod names no header field, and it counts for its
own share there (``sync.engine.amend``).
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal, InvalidOperation

import structlog
from lxml import etree
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import SourceDocumentRow, TargetLink
from db.models_qbd import QbdCompanyFile, QbdRequest
from sync.engine import outcomes, states
from sync.engine.documents import wake_change_orders
from sync.engine.posting import PostResult, find_link, ownership_of
from sync.errors import EditedInTargetError
from sync.models import DocumentKind, PostedRef, TargetKind
from sync.targets.base import Ownership
from sync.targets.qbd import busy, outbox, settle, sparse
from sync.targets.qbd.company import target_name
from sync.targets.qbd.responses import (
    STATUS_STALE_EDIT_SEQUENCE,
    Rs,
    text_of,
)
from sync.targets.qbd.settle import Context

log = structlog.get_logger("costbridge.qbd")
TOTAL_FIELDS = ("TotalAmount", "AmountDue", "CreditAmount", "Subtotal")


async def txn_answer(
    session: AsyncSession, company: QbdCompanyFile, row: QbdRequest, rs: Rs, ctx: Context
) -> None:
    step = row.step
    if step == "mod" and rs.code == STATUS_STALE_EDIT_SEQUENCE:
        # changed since our read: read it again (its lines may have changed too)
        row.state, row.step, row.edit_sequence, row.merge = outbox.QUEUED, "", "", ""
        await settle.note(session, row, "edit sequence out of date", f"3200: {rs.message}", ctx)
        return
    if rs.code in busy.IN_USE_CODES:
        if busy.hold(row, now=ctx.now, settings=ctx.settings):
            await settle.note(session, row, "target busy, waiting", busy.waiting(row, rs), ctx)
        else:
            message = busy.plain(rs, row.attempts, "this document")
            await settle.needs_person(session, row, message, rs.code, ctx)
        return
    if not rs.ok:
        await settle.refused(session, row, rs, ctx)
        return
    if step == "verify":
        await _verified(session, company, row, rs, ctx)
    elif step in ("read", "refresh"):  # "refresh": a row queued before reads had lines
        await _read_answer(session, company, row, rs, ctx)
    else:
        await _posted(
            session, company, row, rs.rets, "created" if step == "add" else "updated", ctx
        )
        if rs.warning:
            await settle.note(
                session, row, "target warning", f"QuickBooks {rs.code}: {rs.message}", ctx
            )


async def _verified(
    session: AsyncSession, company: QbdCompanyFile, row: QbdRequest, rs: Rs, ctx: Context
) -> None:
    """The look-up after an unanswered Add: link what landed, or add it now."""
    assert company.id is not None
    body = json.loads(row.body)
    marker = str(body["memo"]).rsplit("[", 1)[-1].rstrip("]")
    found = [
        ret
        for ret in rs.rets
        if text_of(ret, "RefNumber") == body["ref_number"] and marker in text_of(ret, "Memo")
    ]
    if found:
        await _posted(session, company, row, found[:1], "found", ctx)
        return
    newer = [r for r in await outbox.open_rows(session, company.id, row.subject) if r.id != row.id]
    if newer:  # the newer version will be added instead of this outdated one
        row.state = outbox.CANCELLED
        return
    row.state, row.step, row.verify = outbox.QUEUED, "", False
    await settle.note(
        session, row, "not in target, adding", "the unanswered write never landed", ctx
    )


async def _read_answer(
    session: AsyncSession, company: QbdCompanyFile, row: QbdRequest, rs: Rs, ctx: Context
) -> None:
    """The transaction as it is now, before our Mod: a person's edit to what we own asks
    (``edited_in_target``); otherwise the Mod is planned line by line (``sparse.mod_plan``)."""
    if not rs.rets:
        await settle.missing(session, row, ctx)
        return
    ret = rs.rets[0]
    link = await find_link(session, row.document_id or 0, target_name(company.name))
    before = json.loads(row.merge) if row.merge else []
    row.state, row.step, row.merge = outbox.QUEUED, "", ""
    kind, body = TargetKind(row.target_kind), json.loads(row.body)
    if row.amends_document_id is not None:
        # Only this change order's lines are ours; the first time, none of them yet.
        mine = amending(row, link)
        ownership = ownership_of(mine) if mine else Ownership(header=False)
        recorded = mine.sync_token if mine else None
        label = f"{kind.value} {text_of(ret, 'RefNumber')} (this change order's lines on it)"
    elif link is None or link.voided:
        return  # the link moved meanwhile: the next render decides again
    else:
        ownership, recorded = ownership_of(link), link.sync_token
        label = f"{kind.value} {link.doc_number or link.target_id}"
    lost = sparse.lost_lines(kind, body, before, ret, ownership)
    if lost:  # our last Mod landed unseen: its new lines are ours, not to be added again
        ownership = replace(ownership, line_ids={**ownership.line_ids, **lost})
    sequence = text_of(ret, "EditSequence")
    if recorded is not None and sequence != recorded and not ownership.overwrite:
        found = sparse.edits(kind, body, ret, ownership)
        if found:
            await _edited(session, row, label, found, ctx)
            return
    row.merge = json.dumps(sparse.mod_plan(kind, body, ret, ownership))
    row.edit_sequence, row.step = sequence, "mod"


async def _edited(
    session: AsyncSession, row: QbdRequest, label: str, found: list[str], ctx: Context
) -> None:
    """Nothing is written over a person's edit: the document asks (sync.engine.conflicts)."""
    row.state = outbox.REJECTED
    version = await settle.version_of(session, row)
    if version is None or version.state in states.SETTLED:
        return
    error = EditedInTargetError(label, found, system="qbd")
    await outcomes.needs_human(session, version, ctx.now, error.reasons, detail=str(error))


def _posted_ref(row: QbdRequest, ret: etree._Element) -> PostedRef:
    total: Decimal | None = None
    for field in TOTAL_FIELDS:
        try:
            total = Decimal(text_of(ret, field))
            break
        except InvalidOperation:
            continue
    return PostedRef(
        kind=TargetKind(row.target_kind),
        id=text_of(ret, "TxnID"),
        sync_token=text_of(ret, "EditSequence"),
        doc_number=text_of(ret, "RefNumber"),
        total=total,
    )


async def _posted(
    session: AsyncSession,
    company: QbdCompanyFile,
    row: QbdRequest,
    rets: list[etree._Element],
    operation: str,
    ctx: Context,
) -> None:
    row.state = outbox.DONE
    version = await settle.version_of(session, row)
    if not rets or version is None:
        log.error("qbwc.answer_without_ret", row=row.id)
        return
    posted = _posted_ref(row, rets[0])
    kind, body = TargetKind(row.target_kind), json.loads(row.body)
    header = row.amends_document_id is None
    if operation in ("created", "updated", "found"):  # what we now own in it, line by line
        # a look-up finds our unanswered Add as it was written: its lines in the Add's order
        plan = json.loads(row.merge) if row.merge else sparse.add_plan(kind, body)
        line_ids, owned = sparse.owned_after(kind, body, rets[0], plan, header=header)
        posted = posted.model_copy(update={"line_ids": line_ids, "owned_fields": owned})
    row.txn_id, row.edit_sequence = posted.id, posted.sync_token
    await outcomes.record_posted(
        session,
        version,
        _result(row, posted, "amended" if not header else operation),
        target=target_name(company.name),
        purge_payloads=ctx.settings.purge_payloads,
        now=ctx.now,
        content_hash=row.content_hash,
    )
    await _wake_change_orders(session, row, ctx)


def _result(row: QbdRequest, posted: PostedRef, operation: str) -> PostResult:
    """The write as the engine records it; a change order's lines on its commitment's
    purchase order count for their own total there (``PostResult.share``)."""
    if row.amends_document_id is None:
        return PostResult(posted, operation)
    share = Decimal(str(json.loads(row.body)["total"]))
    return PostResult(posted, operation, (), row.amends_document_id, share)


async def _wake_change_orders(session: AsyncSession, row: QbdRequest, ctx: Context) -> None:
    """A commitment's purchase order is in QuickBooks: change orders waiting to amend it go
    now rather than at their next retry (``sync.engine.amend``)."""
    document = await session.get(SourceDocumentRow, row.document_id) if row.document_id else None
    if document is not None and document.kind == DocumentKind.COMMITMENT.value:
        await wake_change_orders(session, document, now=ctx.now)


async def unchanged(
    session: AsyncSession,
    company: QbdCompanyFile,
    row: QbdRequest,
    txn_id: str,
    sequence: str,
    ctx: Context,
) -> None:
    """The link already holds this content (an earlier row wrote it): nothing to send."""
    row.state, row.step = outbox.DONE, "unchanged"
    session.add(row)
    version = await settle.version_of(session, row)
    if version is not None and version.state == states.POSTING:
        body = json.loads(row.body)
        posted = PostedRef(
            kind=TargetKind(row.target_kind),
            id=txn_id,
            sync_token=sequence,
            doc_number=str(body["ref_number"]),
            total=Decimal(str(body["total"])),
        )
        await outcomes.record_posted(
            session,
            version,
            _result(row, posted, "unchanged"),
            target=target_name(company.name),
            purge_payloads=ctx.settings.purge_payloads,
            now=ctx.now,
            content_hash=row.content_hash,
        )


def amending(row: QbdRequest, link: TargetLink | None) -> TargetLink | None:
    """The change order's own link, when it already holds lines on the purchase order this
    row amends."""
    if link is None or link.voided or link.amends_document_id != row.amends_document_id:
        return None
    return link


async def amended_txn(
    session: AsyncSession,
    company: QbdCompanyFile,
    row: QbdRequest,
    link: TargetLink | None,
    ctx: Context,
) -> str | None:
    """The TxnID of the purchase order this change order's lines go onto; None when the row
    was settled here (nothing changed, or that purchase order is no longer live)."""
    mine = amending(row, link)
    if mine is not None:
        if mine.posted_hash == row.content_hash:
            await unchanged(session, company, row, mine.target_id, mine.sync_token, ctx)
            return None
        return mine.target_id
    commitment = await find_link(session, row.amends_document_id or 0, target_name(company.name))
    if commitment is None or commitment.voided or not commitment.target_id:
        message = (
            "the commitment's purchase order this change order was to add its lines to is no "
            "longer in QuickBooks Desktop (voided or deleted); retry to post the change order "
            "as a purchase order of its own"
        )
        await settle.needs_person(session, row, message, 0, ctx)
        row.state, row.step = outbox.CANCELLED, ""  # never sent: nothing QuickBooks refused
        return None
    return commitment.target_id


async def blocked_by_live(
    session: AsyncSession, row: QbdRequest, live_kind: str, number: str, ctx: Context
) -> None:
    message = (
        f"{live_kind} {number} is still live in QuickBooks Desktop, so the {row.target_kind} "
        "that replaces it was not added; void it there, then retry."
    )
    await settle.needs_person(session, row, message, 0, ctx)
    row.state, row.step = outbox.CANCELLED, ""  # never sent: nothing QuickBooks refused
    session.add(row)
