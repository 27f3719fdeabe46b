"""``/sync backfill``: queue a project's change orders and commitments since a date, with a
progress message that is edited as it runs (it may list hundreds of documents from Procore)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blocks.commands import progress_message
from bot.runtime import SlackBot
from bot.services.slack_calls import call
from sync.engine.documents import enqueue_sync
from sync.service import Service

EDIT_EVERY = 10  # documents between two edits of the progress message (Slack rate limits)


async def run_backfill(bot: SlackBot, svc: Service, data: dict[str, Any]) -> None:
    assert bot.client is not None
    project, channel = str(data["project_id"]), str(data["channel"])
    since = datetime.fromisoformat(str(data["since"]))
    title = f"Backfill of project {project} since {since:%Y-%m-%d} (by <@{data['user']}>)"
    first = progress_message(title, 0, None, False)
    posted = await call(bot.client.chat_postMessage(channel=channel, **first.kwargs()))
    at_channel, at_ts = str(posted["channel"]), str(posted["ts"])
    source = svc.source(str(data.get("source", "procore")))  # projects are the source's own
    refs = [r for r in await source.list_changed(since) if r.ref.project_id == project]
    for done, found in enumerate(refs, start=1):
        async with svc.sessions() as session, session.begin():
            await enqueue_sync(session, found.ref, now=svc.clock.now(), listed=found.payload)
        if done % EDIT_EVERY == 0 and done < len(refs):
            message = progress_message(title, done, len(refs), False)
            await call(bot.client.chat_update(channel=at_channel, ts=at_ts, **message.kwargs()))
    final = progress_message(title, len(refs), len(refs), True)
    await call(bot.client.chat_update(channel=at_channel, ts=at_ts, **final.kwargs()))
