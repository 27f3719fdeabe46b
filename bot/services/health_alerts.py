"""Connection health alerts: one Slack message per connection and condition.

Runs from the durable ``notify:health:<id>`` work items the engine queues
(``sync.health.store``) and always shows the row's latest truth: a new episode posts a
message, a continuing one edits it, a recovery edits it to resolved and says so in its thread.
"""

from __future__ import annotations

import structlog

from bot.blocks.alerts import connection_alert
from bot.health_words import facts_of, health_view
from bot.runtime import SlackBot
from bot.services.slack_calls import call
from db.models_health import ConnectionHealth, SlackHealthAlert
from sync.service import Service

log = structlog.get_logger("costbridge.slack")


async def on_health(bot: SlackBot, svc: Service, health_id: int) -> None:
    assert bot.client is not None
    async with svc.sessions() as session:
        row = await session.get(ConnectionHealth, health_id)
        shown = await session.get(SlackHealthAlert, health_id)
    if row is None:
        return
    view = health_view(facts_of(row))
    message = connection_alert(view)
    if row.state == "open":
        if shown is None or shown.episode != row.episode:
            data = await call(bot.client.chat_postMessage(channel=bot.channel, **message.kwargs()))
            shown = SlackHealthAlert(
                health_id=health_id,
                episode=row.episode,
                revision=row.revision,
                channel=str(data["channel"]),
                ts=str(data["ts"]),
            )
            log.info("slack.health_alerted", connection=row.connection, condition=row.condition)
        elif shown.revision < row.revision and not shown.resolved:
            await call(
                bot.client.chat_update(channel=shown.channel, ts=shown.ts, **message.kwargs())
            )
            shown.revision = row.revision
        else:
            return
    elif shown is not None and not shown.resolved and shown.episode == row.episode:
        await call(bot.client.chat_update(channel=shown.channel, ts=shown.ts, **message.kwargs()))
        await call(
            bot.client.chat_postMessage(
                channel=shown.channel, thread_ts=shown.ts, text=f"✅ {view.resolved_title}"
            )
        )
        shown.revision, shown.resolved = row.revision, True
        log.info("slack.health_resolved", connection=row.connection, condition=row.condition)
    else:
        return  # pending (short throttling) or already resolved: nothing to tell
    async with svc.sessions() as session, session.begin():
        await session.merge(shown)
