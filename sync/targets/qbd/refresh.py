"""Reading a company file's lists: which lists are due, and when each (and all) were read.

Each list's complete read is recorded on its own (``qbd_list_reads``), so a refresh that a
session ended early resumes in a later session with only the lists it had not finished.
Nothing else of a read outlives its session: an iterator lives in one QuickBooks session
(``outbox.restart_read``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models_qbd import QbdCompanyFile, QbdListRead
from sync.targets.qbd import outbox


async def _reads(session: AsyncSession, company_id: int) -> dict[str, datetime]:
    stmt = select(QbdListRead).where(col(QbdListRead.company_file_id) == company_id)
    return {r.kind: r.read_at for r in (await session.execute(stmt)).scalars()}


async def queue_due(
    session: AsyncSession, company_id: int, *, now: datetime, max_age: timedelta
) -> int:
    """Queue a read of every list never read completely, or not within ``max_age``."""
    reads = await _reads(session, company_id)
    due = [k for k in outbox.LIST_KINDS if k not in reads or now - reads[k] > max_age]
    return await outbox.enqueue_list_refresh(session, company_id, now=now, kinds=due)


async def list_read(
    session: AsyncSession, company: QbdCompanyFile, kind: str, *, now: datetime
) -> bool:
    """Record one list's complete read; True when it completes the company file's first
    refresh (every list read at least once, across as many sessions as it took)."""
    assert company.id is not None
    row = await session.get(QbdListRead, (company.id, kind))
    row = row or QbdListRead(company_file_id=company.id, kind=kind, read_at=now)
    row.read_at = now
    session.add(row)
    await session.flush()
    reads = await _reads(session, company.id)
    if any(k not in reads for k in outbox.LIST_KINDS):
        return False
    first = company.lists_refreshed_at is None
    # Every list has been read since then: the age of the oldest is the age of the mirror.
    company.lists_refreshed_at = min(reads[k] for k in outbox.LIST_KINDS)
    session.add(company)
    return first
