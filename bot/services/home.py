"""App Home: published per user, on open and whenever a document changes state."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.blocks.home import home_view
from bot.blocks.model import HomeView
from bot.runtime import SlackBot
from bot.services import reads
from bot.services.slack_calls import call
from db.models_slack import SlackHomeViewer
from sync.engine import queue, states
from sync.engine.operations import status
from sync.service import Service


async def queue_home(session: AsyncSession, user: str, *, now: datetime, viewer: bool) -> None:
    """Queue a publish for ``user`` (coalesced per user: bursts of changes publish once)."""
    if not user:
        return
    if viewer:
        seen = await session.get(SlackHomeViewer, user)
        if seen is None:
            session.add(SlackHomeViewer(user_id=user, opened_at=now))
        else:
            seen.opened_at = now
            session.add(seen)
    await queue.enqueue(
        session, key=f"slack:home:{user}", kind="slack_home", data={"user": user}, now=now
    )


async def refresh_homes(svc: Service) -> None:
    """Something changed: every user who opened the Home sees it on their next look."""
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        viewers = (await session.execute(select(SlackHomeViewer))).scalars().all()
        for viewer in viewers:
            await queue_home(session, viewer.user_id, now=now, viewer=False)


async def publish_home(bot: SlackBot, svc: Service, user: str) -> None:
    assert bot.client is not None
    now = svc.clock.now()
    counts = await status(svc)
    async with svc.sessions() as session:
        today = await reads.current(
            session, states.POSTED, since=now - timedelta(hours=24), limit=10_000
        )
        mine = await reads.waiting(session)
        failures = await reads.failures(session)
        health = await reads.health(
            session, now=now, window_minutes=bot.settings.slack_rollup_window_minutes
        )
    approver = await bot.approvers.allows(user)
    view = HomeView(
        synced_today=len(today),
        waiting=counts.counts.get(states.NEEDS_ATTENTION, 0),
        failed=counts.counts.get(states.DEAD, 0) + counts.counts.get(states.FAILED, 0),
        my_queue=tuple(mine) if approver else (),
        recent_failures=tuple(failures),
        health=tuple(health),
        is_approver=approver,
        paused=counts.paused,
    )
    await call(bot.client.views_publish(user_id=user, view=home_view(view)))
