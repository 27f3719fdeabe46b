"""One request out, one answer in: the heart of a Web Connector session.

``next_request`` renders the next queued row as qbXML *now*, from what the database knows now
(a link makes an Add a read of the transaction, then a Mod of what we own in it; an
unanswered earlier send makes it a look-up first).
``take_response`` matches each answer to its row by ``requestID`` and hands every outcome of
a document to the engine (``sync.engine.outcomes``), in the same transaction as the queue update.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import structlog
from lxml import etree
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import DocumentVersion
from db.models_qbd import QbdCompanyFile, QbdRequest, QbdSession
from sync.engine import outcomes, states
from sync.engine.documents import wake_waiting
from sync.engine.posting import PostResult, find_link, ownership_of
from sync.errors import AttentionReason, EditedInTargetError
from sync.models import PostedRef, TargetKind, TargetRef
from sync.rules.store import link_entity
from sync.settings import Settings
from sync.targets.qbd import busy, lists, outbox, parties, refresh, sparse
from sync.targets.qbd import requests as rq
from sync.targets.qbd.company import target_name
from sync.targets.qbd.qbxml import message_set
from sync.targets.qbd.responses import (
    STATUS_BAD_ITERATOR,
    STATUS_INVALID_PARENT,
    STATUS_INVALID_REFERENCE,
    STATUS_NAME_IN_USE,
    STATUS_NOT_FOUND,
    STATUS_STALE_EDIT_SEQUENCE,
    Rs,
    parse_response,
    text_of,
)

log = structlog.get_logger("costbridge.qbd")
# Refusals a person resolves (a name, a reference, a value, a setting in QuickBooks).
HUMAN_CODES = frozenset(
    {STATUS_NAME_IN_USE, STATUS_INVALID_PARENT, STATUS_INVALID_REFERENCE, 3210, 3250, 3260, 3261}
)
PARSE_ERROR = "0x80040400"
TOTAL_FIELDS = ("TotalAmount", "AmountDue", "CreditAmount", "Subtotal")


@dataclass(frozen=True)
class Context:
    settings: Settings
    now: datetime


def _request_id(row: QbdRequest) -> str:
    return f"{row.id}.{secrets.token_hex(3)}"


async def next_request(
    session: AsyncSession, company: QbdCompanyFile, qs: QbdSession, ctx: Context
) -> str | None:
    """The qbXML for the next row, marked sent in this session; None when nothing is left."""
    assert company.id is not None
    for stale in await outbox.sent_rows(session, company.id, ticket=qs.ticket):
        outbox.unanswered(stale, ctx.now)  # asked again without an answer in between
    while row := await outbox.next_row(session, company.id, now=ctx.now, ticket=qs.ticket):
        row.request_id = _request_id(row)
        element = await _render(session, company, row, ctx)
        if element is None:
            continue  # settled without asking QuickBooks anything
        row.state = outbox.SENT
        row.ticket = qs.ticket
        row.sent_at = ctx.now
        row.updated_at = ctx.now
        session.add(row)
        await session.flush()
        log.info("qbwc.request", row=row.id, subject=row.subject, step=row.step, rid=row.request_id)
        return message_set([element])
    return None


async def _render(
    session: AsyncSession, company: QbdCompanyFile, row: QbdRequest, ctx: Context
) -> etree._Element | None:
    rid = row.request_id
    if row.kind == outbox.LIST_QUERY:
        row.step = "query"
        size = ctx.settings.qbd_page_size
        return rq.list_query(row.target_kind, rid, iterator_id=row.iterator_id, page_size=size)
    body: dict[str, Any] = json.loads(row.body)
    if row.kind == outbox.LIST_ADD:
        if row.step == "lookup":
            return rq.list_read(row.target_kind, await _full_name(session, company, body), rid)
        row.step = "add"
        if row.target_kind == "customer":
            return rq.customer_add(body["name"], body["parent_id"], rid)
        return rq.vendor_add(body["name"], rid)
    kind = TargetKind(row.target_kind)
    if row.kind == outbox.VOID:
        # After a void whose answer never came: read first (voided or gone is done).
        row.step = "check" if row.verify else "void"
        if row.verify:
            return rq.txn_read(kind, row.txn_id, rid)
        return rq.txn_void(kind, row.txn_id, rid)
    po_item = ctx.settings.qbd_po_item
    link = await find_link(session, row.document_id or 0, target_name(company.name))
    if link is not None and not link.voided and link.target_kind != row.target_kind:
        # The document of the other kind is still live (its void was refused or cancelled):
        # adding this one would leave both in the books.
        await _blocked_by_live(session, row, link.target_kind, link.doc_number, ctx)
        return None
    if link is not None and not link.voided:
        if link.posted_hash == row.content_hash:
            await _unchanged(session, company, row, link.target_id, link.sync_token, ctx)
            return None
        row.txn_id = link.target_id
        if row.step != "mod":
            # Read it with its lines first: what is ours in it, and whether a person edited
            # what we own since our last write (``_read_answer``). ``merge`` still holds the
            # plan of a Mod whose answer was lost, if one was.
            row.step = "read"
            return rq.txn_read(kind, link.target_id, rid, lines=True)
        return rq.txn_mod(
            kind,
            body,
            rid,
            txn_id=link.target_id,
            edit_sequence=row.edit_sequence,
            po_item=po_item,
            plan=json.loads(row.merge),
        )
    if row.verify:
        row.step = "verify"
        return rq.txn_find(kind, body, rid)
    row.step = "add"
    return rq.txn_add(kind, body, rid, po_item)


async def _full_name(session: AsyncSession, company: QbdCompanyFile, body: dict[str, Any]) -> str:
    assert company.id is not None
    parent = (
        await lists.full_name(session, company.id, body["parent_id"]) if body["parent_id"] else ""
    )
    return f"{parent}:{body['name']}" if parent else str(body["name"])


async def take_response(
    session: AsyncSession, company: QbdCompanyFile, qs: QbdSession, xml: str, ctx: Context
) -> None:
    """Apply QuickBooks' answer to the rows this session sent."""
    assert company.id is not None
    sent = {r.request_id: r for r in await outbox.sent_rows(session, company.id, ticket=qs.ticket)}
    for rs in parse_response(xml):
        row = sent.pop(rs.request_id, None)
        if row is None:  # not ours, not this company file's, or already answered
            log.warning("qbwc.unmatched_response", request_id=rs.request_id, tag=rs.tag)
            continue
        row.last_status = str(rs.code)
        row.last_message = rs.message
        row.updated_at = ctx.now
        if row.kind == outbox.TXN:
            await _txn_answer(session, company, row, rs, ctx)
        elif row.kind == outbox.VOID:
            await _void_answer(session, company, row, rs, ctx)
        elif row.kind == outbox.LIST_QUERY:
            await _list_answer(session, company, row, rs, ctx)
        else:
            await _name_answer(session, company, row, rs, ctx)
        session.add(row)
        qs.done += 1
    for row in sent.values():  # no answer for it (stopOnError skipped it, or it was lost)
        outbox.unanswered(row, ctx.now)
        row.attempts += 1  # bounded: a request QuickBooks never answers must not loop
        if row.attempts >= ctx.settings.qbd_max_attempts:
            await _give_up(session, row, "QuickBooks never answered this request", ctx)
        session.add(row)
    session.add(qs)


async def take_hresult(
    session: AsyncSession,
    company: QbdCompanyFile,
    qs: QbdSession,
    hresult: str,
    message: str,
    ctx: Context,
) -> None:
    """The request processor refused the message itself (no qbXML answer at all)."""
    assert company.id is not None
    for row in await outbox.sent_rows(session, company.id, ticket=qs.ticket):
        row.last_status = hresult[:16]
        row.last_message = message
        if hresult.lower() == PARSE_ERROR:
            # Our own request broke QuickBooks' schema: a bug, never retried blindly.
            await _give_up(session, row, f"QuickBooks could not parse the request: {message}", ctx)
        else:
            outbox.unanswered(row, ctx.now)
            row.attempts += 1
            if row.attempts >= ctx.settings.qbd_max_attempts:
                await _give_up(session, row, f"QuickBooks error {hresult}: {message}", ctx)
        session.add(row)


# --- documents -------------------------------------------------------------------------------


async def _txn_answer(
    session: AsyncSession, company: QbdCompanyFile, row: QbdRequest, rs: Rs, ctx: Context
) -> None:
    step = row.step
    if step == "mod" and rs.code == STATUS_STALE_EDIT_SEQUENCE:
        # changed since our read: read it again (its lines may have changed too)
        row.state, row.step, row.edit_sequence, row.merge = outbox.QUEUED, "", "", ""
        await _note(session, row, "edit sequence out of date", f"3200: {rs.message}", ctx)
        return
    if rs.code in busy.IN_USE_CODES:
        if busy.hold(row, now=ctx.now, settings=ctx.settings):
            await _note(session, row, "target busy, waiting", busy.waiting(row, rs), ctx)
        else:
            message = busy.plain(rs, row.attempts, "this document")
            await _needs_person(session, row, message, rs.code, ctx)
        return
    if not rs.ok:
        await _refused(session, row, rs, ctx)
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
            await _note(session, row, "target warning", f"QuickBooks {rs.code}: {rs.message}", ctx)


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
    await _note(session, row, "not in target, adding", "the unanswered write never landed", ctx)


async def _read_answer(
    session: AsyncSession, company: QbdCompanyFile, row: QbdRequest, rs: Rs, ctx: Context
) -> None:
    """The transaction as it is now, before our Mod: a person's edit to what we own asks
    (``edited_in_target``); otherwise the Mod is planned line by line (``sparse.mod_plan``)."""
    if not rs.rets:
        await _missing(session, row, ctx)
        return
    ret = rs.rets[0]
    link = await find_link(session, row.document_id or 0, target_name(company.name))
    before = json.loads(row.merge) if row.merge else []
    row.state, row.step, row.merge = outbox.QUEUED, "", ""
    if link is None or link.voided:
        return  # the link moved meanwhile: the next render decides again
    kind, body = TargetKind(row.target_kind), json.loads(row.body)
    ownership = ownership_of(link)
    lost = sparse.lost_lines(kind, body, before, ret, ownership)
    if lost:  # our last Mod landed unseen: its new lines are ours, not to be added again
        ownership = replace(ownership, line_ids={**ownership.line_ids, **lost})
    sequence = text_of(ret, "EditSequence")
    if sequence != link.sync_token and not ownership.overwrite:
        found = sparse.edits(kind, body, ret, ownership)
        if found:
            await _edited(
                session, row, f"{kind.value} {link.doc_number or link.target_id}", found, ctx
            )
            return
    row.merge = json.dumps(sparse.mod_plan(kind, body, ret, ownership))
    row.edit_sequence, row.step = sequence, "mod"


async def _edited(
    session: AsyncSession, row: QbdRequest, label: str, found: list[str], ctx: Context
) -> None:
    """Nothing is written over a person's edit: the document asks (sync.engine.conflicts)."""
    row.state = outbox.REJECTED
    version = await _version(session, row)
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
    version = await _version(session, row)
    if not rets or version is None:
        log.error("qbwc.answer_without_ret", row=row.id)
        return
    posted = _posted_ref(row, rets[0])
    if operation in ("created", "updated"):  # what we now own in it, line by line
        kind, body = TargetKind(row.target_kind), json.loads(row.body)
        plan = json.loads(row.merge) if row.merge else sparse.add_plan(kind, body)
        line_ids, owned = sparse.owned_after(kind, body, rets[0], plan)
        posted = posted.model_copy(update={"line_ids": line_ids, "owned_fields": owned})
    row.txn_id, row.edit_sequence = posted.id, posted.sync_token
    await outcomes.record_posted(
        session,
        version,
        PostResult(posted, operation),
        target=target_name(company.name),
        purge_payloads=ctx.settings.purge_payloads,
        now=ctx.now,
        content_hash=row.content_hash,
    )


async def _unchanged(
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
    version = await _version(session, row)
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
            PostResult(posted, "unchanged"),
            target=target_name(company.name),
            purge_payloads=ctx.settings.purge_payloads,
            now=ctx.now,
            content_hash=row.content_hash,
        )


def _plain(rs: Rs) -> str:
    if rs.code == STATUS_NAME_IN_USE:
        return f"QuickBooks Desktop says a name is already in use: {rs.message}"
    if rs.code in (STATUS_INVALID_REFERENCE, STATUS_INVALID_PARENT):
        return (
            "QuickBooks Desktop does not know an account, vendor, item, class or customer:job "
            f"this document refers to (renamed or deleted there?): {rs.message}"
        )
    return f"QuickBooks Desktop refused the document ({rs.code}): {rs.message}"


async def _refused(session: AsyncSession, row: QbdRequest, rs: Rs, ctx: Context) -> None:
    if rs.code not in HUMAN_CODES:
        await _give_up(session, row, f"QuickBooks {rs.code}: {rs.message}", ctx)
        return
    await _needs_person(session, row, _plain(rs), rs.code, ctx)


async def _needs_person(
    session: AsyncSession, row: QbdRequest, message: str, code: int, ctx: Context
) -> None:
    row.state = outbox.REJECTED
    version = await _version(session, row)
    if version is None:
        return
    reason = AttentionReason(
        kind="target_rejected", message=message, data={"code": str(code), "system": "qbd"}
    )
    if version.state in states.SETTLED:
        await outcomes.note(session, version, "target refused", message, now=ctx.now)
    else:
        await outcomes.needs_human(session, version, ctx.now, [reason], detail=message)


async def _missing(session: AsyncSession, row: QbdRequest, ctx: Context) -> None:
    row.state = outbox.REJECTED
    version = await _version(session, row)
    if version is not None and version.state not in states.SETTLED:
        reason = AttentionReason(
            kind="target_missing",
            message=f"{row.target_kind} {row.txn_id} no longer exists in QuickBooks Desktop "
            "(deleted there?); post the change order again?",
        )
        await outcomes.needs_human(session, version, ctx.now, [reason])


async def _give_up(session: AsyncSession, row: QbdRequest, error: str, ctx: Context) -> None:
    row.state = outbox.FAILED
    row.last_message = error
    log.error("qbwc.request_failed", row=row.id, subject=row.subject, error=error)
    if row.kind == outbox.LIST_ADD:  # whoever asked for the vendor or job is told why not
        body = json.loads(row.body)
        await parties.answered(session, body, error=parties.not_added(body, error), now=ctx.now)
        return
    version = await _version(session, row)
    if version is None:
        return
    if version.state in states.SETTLED:
        await outcomes.note(session, version, "target write failed", error, now=ctx.now)
    else:
        version.last_error = error
        await outcomes.bury(session, version, error, ctx.now)


async def _note(
    session: AsyncSession, row: QbdRequest, cause: str, detail: str, ctx: Context
) -> None:
    version = await _version(session, row)
    if version is not None:
        await outcomes.note(session, version, cause, detail, now=ctx.now)


async def _version(session: AsyncSession, row: QbdRequest) -> DocumentVersion | None:
    if not row.version_id:
        return None
    # Locked: the worker may be re-planning the same version in another transaction.
    return await session.get(DocumentVersion, row.version_id, with_for_update=True)


# --- voids -----------------------------------------------------------------------------------


async def _void_answer(
    session: AsyncSession, company: QbdCompanyFile, row: QbdRequest, rs: Rs, ctx: Context
) -> None:
    """TxnVoidRs / TxnDelRs, or the read after a void whose answer never came."""
    if rs.code in busy.IN_USE_CODES:
        if busy.hold(row, now=ctx.now, settings=ctx.settings):
            await _note(session, row, "target busy, waiting", busy.waiting(row, rs), ctx)
        else:
            await _void_refused(session, row, busy.plain(rs, row.attempts, "this void"), ctx)
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
            f"{rs.message}. Void it in QuickBooks yourself, then `costbridge requeue` the "
            "change order."
        )
        await _void_refused(session, row, message, ctx)


async def _voided(
    session: AsyncSession, company: QbdCompanyFile, row: QbdRequest, how: str, ctx: Context
) -> None:
    row.state = outbox.DONE
    link = await find_link(session, row.document_id or 0, target_name(company.name))
    if link is None:
        return
    await outcomes.record_voided(
        session,
        await _version(session, row),
        link,
        target_id=row.txn_id,
        detail=f"{row.target_kind} {link.doc_number or row.txn_id} (TxnID {row.txn_id}) {how}",
        now=ctx.now,
    )


async def _void_refused(session: AsyncSession, row: QbdRequest, message: str, ctx: Context) -> None:
    """The old document stays live: its replacement must not be added next to it."""
    await outbox.cancel_behind(session, row, now=ctx.now)
    await _needs_person(session, row, message, int(row.last_status or 0), ctx)


async def _blocked_by_live(
    session: AsyncSession, row: QbdRequest, live_kind: str, number: str, ctx: Context
) -> None:
    message = (
        f"{live_kind} {number} is still live in QuickBooks Desktop, so the {row.target_kind} "
        "that replaces it was not added; void it there, then retry."
    )
    await _needs_person(session, row, message, 0, ctx)
    row.state, row.step = outbox.CANCELLED, ""  # never sent: nothing QuickBooks refused
    session.add(row)


# --- lists -----------------------------------------------------------------------------------


async def _list_answer(
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


async def _name_answer(
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
        await _give_up(session, row, busy.plain(rs, row.attempts, "it"), ctx)
        return
    if not rs.ok or not rs.rets:
        row.state = outbox.FAILED
        company.last_error = f"adding {row.subject}: {rs.code} {rs.message}"
        session.add(company)
        # after a 3100, the lookup found no such name in this list: another kind holds it
        error = parties.name_in_use(body["name"]) if row.step == "lookup" else None
        await parties.answered(session, body, error=str(error or f"{_plain(rs)}"), now=ctx.now)
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
