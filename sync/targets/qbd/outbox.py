"""The per-company-file request queue (``qbd_requests``): what the Web Connector will be given.

One subject (a document, a list, a name) is worked on by one row at a time, in order; a
newer version of a document waiting to be sent replaces the waiting one in place, and one
that arrives while its predecessor is out with the Web Connector waits behind it. A row told
to wait (``retry_at``: QuickBooks said the record is in use) goes again only at a later time
and in a later session.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models_qbd import QbdRequest
from sync.models import TargetDocument

QUEUED = "queued"
SENT = "sent"
DONE = "done"
REJECTED = "rejected"  # QuickBooks refused it; a human decides (needs attention)
FAILED = "failed"  # given up (dead letter for documents)
CANCELLED = "cancelled"  # a newer row for the same subject made it pointless
OPEN = (QUEUED, SENT)

TXN = "txn"
VOID = "void"  # void or delete a document's transaction (its replacement waits behind it)
LIST_QUERY = "list_query"
LIST_ADD = "list_add"
LIST_KINDS = ("account", "vendor", "customer", "item", "class")
PRIORITY = {LIST_QUERY: 0, LIST_ADD: 1, TXN: 2, VOID: 2}


def new_run_id() -> str:
    return uuid.uuid4().hex


async def open_rows(session: AsyncSession, company_id: int, subject: str) -> list[QbdRequest]:
    stmt = (
        select(QbdRequest)
        .where(
            col(QbdRequest.company_file_id) == company_id,
            col(QbdRequest.subject) == subject,
            col(QbdRequest.state).in_(OPEN),
        )
        .order_by(col(QbdRequest.id))
    )
    return list((await session.execute(stmt)).scalars())


async def enqueue_document(
    session: AsyncSession,
    company_id: int,
    *,
    subject: str,
    document: TargetDocument,
    document_id: int,
    version_id: int,
    content_hash: str,
    now: datetime,
    amends_document_id: int | None = None,
) -> QbdRequest:
    """Queue the write of one document version (idempotent for the same version).

    ``amends_document_id``: the commitment whose purchase order gets this change order's
    lines (``sync.engine.amend``) instead of a transaction of its own.
    """
    rows = [r for r in await open_rows(session, company_id, subject) if r.kind == TXN]
    for row in rows:
        if (
            row.version_id == version_id
            and row.content_hash == content_hash
            and row.amends_document_id == amends_document_id
        ):
            return row  # the same version again (a re-run of the pipeline): nothing new
    waiting = [r for r in rows if r.state == QUEUED and not r.verify]
    body = json.dumps(document.body)
    if waiting:
        row = waiting[-1]  # never sent: the newer version simply takes its place
    else:
        row = QbdRequest(
            company_file_id=company_id,
            subject=subject,
            kind=TXN,
            priority=PRIORITY[TXN],
            created_at=now,
            updated_at=now,
        )
    row.target_kind = document.kind.value
    row.document_id = document_id
    row.version_id = version_id
    row.content_hash = content_hash
    row.amends_document_id = amends_document_id
    row.body = body
    row.updated_at = now
    session.add(row)
    await session.flush()
    return row


async def enqueue_void(
    session: AsyncSession,
    company_id: int,
    *,
    subject: str,
    kind: str,
    txn_id: str,
    document_id: int,
    version_id: int,
    now: datetime,
    amends_document_id: int | None = None,
) -> QbdRequest:
    """Queue the void (or delete) of one transaction, once: a re-run finds the open row.

    It goes ahead of anything queued later for the same document (one row per subject at a
    time, oldest first), so a replacement is only written after QuickBooks answered.
    ``amends_document_id``: not a void but the removal of a change order's lines from that
    commitment's purchase order, which stays.
    """
    for row in await open_rows(session, company_id, subject):
        if row.kind == VOID and row.txn_id == txn_id:
            return row
    row = QbdRequest(
        company_file_id=company_id,
        subject=subject,
        kind=VOID,
        priority=PRIORITY[VOID],
        target_kind=kind,
        document_id=document_id,
        version_id=version_id,
        txn_id=txn_id,
        amends_document_id=amends_document_id,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def cancel_behind(session: AsyncSession, row: QbdRequest, *, now: datetime) -> int:
    """Cancel what waits behind a row for the same document (a void QuickBooks refused: the
    replacement must not be written while the old document is still live)."""
    cancelled = 0
    for other in await open_rows(session, row.company_file_id, row.subject):
        if other.id != row.id and other.state == QUEUED:
            other.state = CANCELLED
            other.updated_at = now
            session.add(other)
            cancelled += 1
    return cancelled


async def enqueue_list_refresh(
    session: AsyncSession, company_id: int, *, now: datetime, kinds: Sequence[str] = LIST_KINDS
) -> int:
    """Queue a full read of each list not already being read; returns how many were added."""
    added = 0
    for kind in kinds:
        if await open_rows(session, company_id, f"list:{kind}"):
            continue
        session.add(
            QbdRequest(
                company_file_id=company_id,
                subject=f"list:{kind}",
                kind=LIST_QUERY,
                priority=PRIORITY[LIST_QUERY],
                target_kind=kind,
                run_id=new_run_id(),
                created_at=now,
                updated_at=now,
            )
        )
        added += 1
    await session.flush()
    return added


async def enqueue_name(
    session: AsyncSession,
    company_id: int,
    *,
    kind: str,
    name: str,
    parent_id: str = "",
    link: dict[str, str] | None = None,
    after: dict[str, Any] | None = None,
    now: datetime,
) -> QbdRequest:
    """Queue a CustomerAdd (a job when ``parent_id`` is its customer) or a VendorAdd.

    ``link`` (source, source_kind, source_id) links the new name to a Procore project or
    vendor once QuickBooks has created it, so documents waiting on it map by themselves;
    ``after`` is a work item queued with the answer (``sync.targets.qbd.parties.answered``).
    """
    assert kind in ("customer", "vendor")
    subject = f"{kind}:{parent_id}:{name}"
    rows = await open_rows(session, company_id, subject)
    if rows:
        return rows[0]
    body: dict[str, Any] = {
        "name": name,
        "parent_id": parent_id,
        "link": link or {},
        "after": after or {},
    }
    row = QbdRequest(
        company_file_id=company_id,
        subject=subject,
        kind=LIST_ADD,
        priority=PRIORITY[LIST_ADD],
        target_kind=kind,
        body=json.dumps(body),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return row


def due(row: QbdRequest, *, now: datetime, ticket: str) -> bool:
    """A row told to wait goes again only at a later time and in a later session."""
    if row.retry_at is None:
        return True
    return row.retry_at <= now and not (ticket and row.ticket == ticket)


async def pending_count(session: AsyncSession, company_id: int) -> int:
    """Open rows, including those told to wait (what ``costbridge qbwc status`` shows)."""
    stmt = (
        select(func.count())
        .select_from(QbdRequest)
        .where(
            col(QbdRequest.company_file_id) == company_id,
            col(QbdRequest.state).in_(OPEN),
        )
    )
    return int((await session.execute(stmt)).scalar_one())


async def sendable_count(
    session: AsyncSession, company_id: int, *, now: datetime, ticket: str = ""
) -> int:
    """Rows still to be sent or answered in this session (``ticket``; "" before it began):
    not those told to wait, nor what waits behind them for the same subject."""
    stmt = (
        select(QbdRequest)
        .where(col(QbdRequest.company_file_id) == company_id, col(QbdRequest.state).in_(OPEN))
        .order_by(col(QbdRequest.priority), col(QbdRequest.id))
    )
    held: set[str] = set()
    count = 0
    for row in (await session.execute(stmt)).scalars():
        if row.state == QUEUED and (row.subject in held or not due(row, now=now, ticket=ticket)):
            held.add(row.subject)
        else:
            count += 1
    return count


async def next_row(
    session: AsyncSession, company_id: int, *, now: datetime, ticket: str
) -> QbdRequest | None:
    """The first queued row (lists, then names, then documents, oldest first) that is due and
    whose subject has nothing out with the Web Connector and no older row waiting."""
    stmt = (
        select(QbdRequest)
        .where(
            col(QbdRequest.company_file_id) == company_id,
            col(QbdRequest.state).in_(OPEN),
        )
        .order_by(col(QbdRequest.priority), col(QbdRequest.id))
    )
    rows = list((await session.execute(stmt)).scalars())
    busy = {r.subject for r in rows if r.state == SENT}
    seen: set[str] = set()
    for row in rows:
        if (
            row.state == QUEUED
            and row.subject not in busy
            and row.subject not in seen
            and due(row, now=now, ticket=ticket)
        ):
            return row
        seen.add(row.subject)
    return None


async def sent_rows(
    session: AsyncSession, company_id: int, *, ticket: str | None = None, other_than: str = ""
) -> list[QbdRequest]:
    stmt = select(QbdRequest).where(
        col(QbdRequest.company_file_id) == company_id, col(QbdRequest.state) == SENT
    )
    if ticket is not None:
        stmt = stmt.where(col(QbdRequest.ticket) == ticket)
    if other_than:
        stmt = stmt.where(col(QbdRequest.ticket) != other_than)
    return list((await session.execute(stmt)).scalars())


def restart_read(row: QbdRequest, now: datetime) -> None:
    """Read the list again from its first page: an iterator lives in one QuickBooks session
    (3391 in any other), and a fresh run id keeps the pruning of deleted rows honest."""
    row.state = QUEUED
    row.iterator_id = ""
    row.run_id = new_run_id()
    row.updated_at = now


async def restart_reads(session: AsyncSession, company_id: int, *, now: datetime) -> None:
    """A new session begins: every unfinished list read starts over, without an iterator."""
    stmt = select(QbdRequest).where(
        col(QbdRequest.company_file_id) == company_id,
        col(QbdRequest.kind) == LIST_QUERY,
        col(QbdRequest.state).in_(OPEN),
        col(QbdRequest.iterator_id) != "",
    )
    for row in (await session.execute(stmt)).scalars():
        restart_read(row, now)
        session.add(row)


def unanswered(row: QbdRequest, now: datetime) -> None:
    """A sent request whose answer never came (session cut, Web Connector closed).

    A write may have landed: the row is queued again so that the next send asks first, never
    blindly. An Add becomes a look-up (``verify``); a Mod reads the transaction again (the Mod
    may have landed: a field already holding what we write is not taken for a person's
    edit); a void reads the transaction first (voided or gone: done). A read just starts over.
    """
    row.state = QUEUED
    row.ticket = ""
    row.updated_at = now
    if (row.kind == TXN and row.step == "add") or (row.kind == VOID and row.step == "void"):
        row.verify = True
    if row.kind in (TXN, VOID) and row.step == "mod":
        row.step, row.edit_sequence = "", ""  # read again; ``merge`` says what it sent
    if row.kind == LIST_QUERY:
        restart_read(row, now)
