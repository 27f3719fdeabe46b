"""One request out, one answer in: the heart of a Web Connector session.

``next_request`` renders the next queued row as qbXML *now*, from what the database knows now
(a link makes an Add a read of the transaction, then a Mod of what we own in it; an
unanswered earlier send makes it a look-up first).
``take_response`` matches each answer to its row by ``requestID`` and hands it to what answers
that kind of request (``txn_answers``, ``void_answers``, ``list_answers``), which tell the
engine (``sync.engine.outcomes``) in the same transaction as the queue update.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import structlog
from lxml import etree
from sqlalchemy.ext.asyncio import AsyncSession

from db.models_qbd import QbdCompanyFile, QbdRequest, QbdSession
from sync.engine.posting import find_link
from sync.models import TargetKind
from sync.targets.qbd import list_answers, lists, outbox, settle, txn_answers, void_answers
from sync.targets.qbd import requests as rq
from sync.targets.qbd.company import target_name
from sync.targets.qbd.qbxml import message_set
from sync.targets.qbd.responses import parse_response
from sync.targets.qbd.settle import Context

log = structlog.get_logger("costbridge.qbd")
PARSE_ERROR = "0x80040400"


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
    po_item = ctx.settings.qbd_po_item
    link = await find_link(session, row.document_id or 0, target_name(company.name))
    if row.kind == outbox.VOID:
        if row.amends_document_id is not None:
            return await void_answers.render_removal(session, company, row, link, ctx)
        # After a void whose answer never came: read first (voided or gone is done).
        row.step = "check" if row.verify else "void"
        if row.verify:
            return rq.txn_read(kind, row.txn_id, rid)
        return rq.txn_void(kind, row.txn_id, rid)
    if row.amends_document_id is not None:
        txn_id = await txn_answers.amended_txn(session, company, row, link, ctx)
        if txn_id is None:
            return None
    elif link is not None and not link.voided and link.target_kind != row.target_kind:
        # The document of the other kind is still live (its void was refused or cancelled):
        # adding this one would leave both in the books.
        await txn_answers.blocked_by_live(session, row, link.target_kind, link.doc_number, ctx)
        return None
    elif link is not None and not link.voided:
        if link.posted_hash == row.content_hash:
            await txn_answers.unchanged(session, company, row, link.target_id, link.sync_token, ctx)
            return None
        txn_id = link.target_id
    else:
        txn_id = ""
    if txn_id:
        row.txn_id = txn_id
        if row.step != "mod":
            # Read it with its lines first: what is ours in it, and whether a person
            # edited what we own since our last write (``txn_answers``). ``merge`` still
            # holds the plan of a Mod whose answer was lost, if one was.
            row.step = "read"
            return rq.txn_read(kind, txn_id, rid, lines=True)
        return rq.txn_mod(
            kind,
            body,
            rid,
            txn_id=txn_id,
            edit_sequence=row.edit_sequence,
            po_item=po_item,
            plan=json.loads(row.merge),
            header=row.amends_document_id is None,
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
            await txn_answers.txn_answer(session, company, row, rs, ctx)
        elif row.kind == outbox.VOID:
            await void_answers.void_answer(session, company, row, rs, ctx)
        elif row.kind == outbox.LIST_QUERY:
            await list_answers.list_answer(session, company, row, rs, ctx)
        else:
            await list_answers.name_answer(session, company, row, rs, ctx)
        session.add(row)
        qs.done += 1
    for row in sent.values():  # no answer for it (stopOnError skipped it, or it was lost)
        outbox.unanswered(row, ctx.now)
        row.attempts += 1  # bounded: a request QuickBooks never answers must not loop
        if row.attempts >= ctx.settings.qbd_max_attempts:
            await settle.give_up(session, row, "QuickBooks never answered this request", ctx)
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
            await settle.give_up(
                session, row, f"QuickBooks could not parse the request: {message}", ctx
            )
        else:
            outbox.unanswered(row, ctx.now)
            row.attempts += 1
            if row.attempts >= ctx.settings.qbd_max_attempts:
                await settle.give_up(session, row, f"QuickBooks error {hresult}: {message}", ctx)
        session.add(row)
