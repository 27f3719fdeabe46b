"""The daily digest (an APScheduler job): the last 24 hours, posted to the digest channel."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import structlog

from bot.blocks.digest import digest_message
from bot.blocks.model import DigestView
from bot.runtime import find_bot
from bot.services import reads
from bot.services.slack_calls import call
from sync.engine import states
from sync.errors import CostbridgeError
from sync.service import Service

log = structlog.get_logger("costbridge.slack")


async def post_digest(svc: Service) -> bool:
    """Post the digest; False when Slack is not configured."""
    bot = find_bot(svc)
    if bot is None or bot.client is None:
        return False
    now = svc.clock.now()
    async with svc.sessions() as session:
        posted = await reads.current(
            session, states.POSTED, since=now - timedelta(hours=24), limit=10_000
        )
        waiting = await reads.waiting(session)
        failed = await reads.failures(session, limit=50)
    view = DigestView(
        day=f"{now:%Y-%m-%d}",
        posted=len(posted),
        posted_total=str(sum((Decimal(v.total) for _, v in posted), Decimal("0"))),
        waiting=tuple(d for d, _ in waiting),
        failed=tuple(failed),
    )
    channel = bot.settings.slack_digest_channel or bot.channel
    try:
        await call(bot.client.chat_postMessage(channel=channel, **digest_message(view).kwargs()))
    except CostbridgeError as exc:  # tomorrow's digest tries again; the log says why
        log.warning("slack.digest_failed", error=str(exc))
        return False
    return True
