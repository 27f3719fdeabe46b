"""The Slack tables: messages per document, processed deliveries, conditional claims."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models_slack import SlackMessage, SlackProcessed

ATTENTION = "attention"
ALERT = "alert"
OPEN = "open"
APPLYING = "applying"
RESOLVED = "resolved"


async def message_for(session: AsyncSession, document_id: int, purpose: str) -> SlackMessage | None:
    stmt = select(SlackMessage).where(
        col(SlackMessage.document_id) == document_id, col(SlackMessage.purpose) == purpose
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def first_time(session: AsyncSession, key: str, *, now: datetime) -> bool:
    """Record a Slack delivery id; False when it was seen before (a retry or a duplicate)."""
    seen = await session.execute(
        select(col(SlackProcessed.id)).where(col(SlackProcessed.key) == key[:255])
    )
    if seen.first() is not None:
        return False
    try:
        async with session.begin_nested():  # a concurrent twin loses here, not the transaction
            session.add(SlackProcessed(key=key[:255], at=now))
    except IntegrityError:
        return False
    return True


async def claim(
    session: AsyncSession,
    message_id: int,
    *,
    revision: int,
    actor: str,
    to_state: str,
    now: datetime,
    from_states: tuple[str, ...] = (OPEN,),
) -> bool:
    """Take the message for one action: exactly one of two concurrent clicks gets True."""
    result = await session.execute(
        update(SlackMessage)
        .where(
            col(SlackMessage.id) == message_id,
            col(SlackMessage.revision) == revision,
            col(SlackMessage.state).in_(from_states),
        )
        .values(state=to_state, revision=revision + 1, actor=actor, updated_at=now)
    )
    return cast(CursorResult[Any], result).rowcount == 1
