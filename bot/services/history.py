"""A document's history as thread replies: every transition, its cause and actor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.blocks.text import clip, esc
from db.models import HistoryEntry


async def history_text(session: AsyncSession, document_id: int, *, since: datetime) -> str:
    rows = (
        await session.execute(
            select(HistoryEntry)
            .where(col(HistoryEntry.document_id) == document_id, col(HistoryEntry.at) >= since)
            .order_by(col(HistoryEntry.id))
        )
    ).scalars()
    lines = []
    for h in rows:
        who = f" by <@{h.actor}>" if h.actor.startswith(("U", "W")) else f" by {esc(h.actor)}"
        detail = f": {esc(clip(h.detail, 200))}" if h.detail else ""
        lines.append(
            f"`{h.at:%Y-%m-%d %H:%M}` {h.from_state or 'new'} → *{h.to_state}* "
            f"({esc(h.cause)}){who}{detail}"
        )
    return clip("History:\n" + "\n".join(lines[-30:]), 3000) if lines else ""
