"""Read-only questions about documents, shared by /sync, the App Home and the digest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.blocks.model import DocView
from bot.causes import cause_of
from bot.health_words import facts_of, health_view
from bot.services.views import doc_view
from db.models import DocumentVersion, SourceDocumentRow
from db.models_slack import SlackRollup
from sync.engine import states
from sync.engine.documents import reasons_of
from sync.health.store import problems


async def current(
    session: AsyncSession, *state: str, since: datetime | None = None, limit: int = 200
) -> list[tuple[SourceDocumentRow, DocumentVersion]]:
    """Documents whose current version is in one of ``state``, most recent first."""
    stmt = (
        select(SourceDocumentRow, DocumentVersion)
        .join(DocumentVersion, col(DocumentVersion.id) == col(SourceDocumentRow.current_version_id))
        .where(col(DocumentVersion.state).in_(state))
        .order_by(col(DocumentVersion.updated_at).desc())
        .limit(limit)
    )
    if since is not None:
        stmt = stmt.where(col(DocumentVersion.updated_at) >= since)
    return [(r, v) for r, v in (await session.execute(stmt)).all()]


async def waiting(session: AsyncSession) -> list[tuple[DocView, str]]:
    rows = await current(session, states.NEEDS_ATTENTION)
    return [(doc_view(r, v), "; ".join(x.message for x in reasons_of(v))[:500]) for r, v in rows]


async def failures(session: AsyncSession, limit: int = 15) -> list[tuple[DocView, str]]:
    rows = await current(session, states.DEAD, states.FAILED, limit=limit)
    return [(doc_view(r, v), cause_of(v.last_error).message) for r, v in rows]


async def health(session: AsyncSession, *, now: datetime, window_minutes: int) -> list[str]:
    """One line per connection problem now or seen recently, else "all connections OK"."""
    lines = [
        f"🔌 {health_view(facts_of(row)).title} (since {row.since:%Y-%m-%d %H:%M} UTC)"
        if row.since is not None
        else f"🔌 {health_view(facts_of(row)).title}"
        for row in await problems(session)
    ]
    rows = (
        await session.execute(
            select(SlackRollup).order_by(col(SlackRollup.last_at).desc()).limit(20)
        )
    ).scalars()
    for rollup in rows:
        cause = cause_of(rollup.title)
        recent = (now - rollup.last_at).total_seconds() < window_minutes * 60
        if recent and (cause.health or rollup.cause.startswith("health:")):
            lines.append(f"🔌 {rollup.title} (last {rollup.last_at:%Y-%m-%d %H:%M} UTC)")
    return lines or ["✅ All connections OK (no connection failures recently)."]
