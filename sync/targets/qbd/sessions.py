"""Web Connector sessions: a ticket per update, valid for one company file, expiring.

The Web Connector runs one update at a time per application, so a new authenticate means any
older session of that company file is over (cut, crashed, closed without closeConnection):
it is superseded, its ticket stops working, and what it left unanswered is looked up again.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models_qbd import QbdCompanyFile, QbdSession

OPEN = "open"
CLOSED = "closed"
SUPERSEDED = "superseded"
NONE = "none"  # authenticated, nothing to do


def new_ticket() -> str:
    return secrets.token_hex(16)


async def start(
    session: AsyncSession,
    company: QbdCompanyFile,
    *,
    now: datetime,
    minutes: int,
    state: str = OPEN,
) -> QbdSession:
    assert company.id is not None
    stmt = select(QbdSession).where(
        col(QbdSession.company_file_id) == company.id, col(QbdSession.state) == OPEN
    )
    for old in (await session.execute(stmt)).scalars():
        old.state = SUPERSEDED
        session.add(old)
    row = QbdSession(
        ticket=new_ticket(),
        company_file_id=company.id,
        state=state,
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
        last_seen_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def find_open(
    session: AsyncSession, ticket: str, *, now: datetime
) -> tuple[QbdSession, QbdCompanyFile] | None:
    """The open, unexpired session of this ticket and its company file, else None."""
    if not ticket:
        return None
    row = await session.get(QbdSession, ticket, with_for_update=True)
    if row is None or row.state != OPEN or row.expires_at <= now:
        return None
    company = await session.get(QbdCompanyFile, row.company_file_id)
    assert company is not None
    row.last_seen_at = now
    company.last_poll_at = now
    session.add_all([row, company])
    return row, company


async def find_any(session: AsyncSession, ticket: str) -> QbdSession | None:
    return await session.get(QbdSession, ticket) if ticket else None
