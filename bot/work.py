"""The bot's own work kinds, run by the engine's worker (``sync.worker._dispatch``)."""

from __future__ import annotations

from typing import Any

import structlog

from bot.runtime import find_bot
from bot.services.actions import Click, handle_click
from bot.services.backfill import run_backfill
from bot.services.create import WORK_KIND, run_party
from bot.services.home import publish_home
from bot.services.wake import wake
from sync.service import Service

log = structlog.get_logger("costbridge.slack")
KINDS = frozenset({"slack_action", "slack_home", "slack_backfill", "slack_wake", WORK_KIND})


async def run_slack_work(svc: Service, kind: str, data: dict[str, Any]) -> None:
    if kind == "slack_wake":  # the engine's side: needs no Slack
        await wake(svc, int(data["document_id"]))
        return
    if kind == WORK_KIND:  # create + link must happen even if Slack is down meanwhile
        await run_party(svc, data)
        return
    bot = find_bot(svc)
    if bot is None or bot.client is None:
        log.warning("slack.not_configured", kind=kind)  # nothing to talk to: drop, logged
        return
    if kind == "slack_action":
        await handle_click(bot, svc, Click.of(data))
    elif kind == "slack_home":
        await publish_home(bot, svc, str(data["user"]))
    elif kind == "slack_backfill":
        await run_backfill(bot, svc, data)
    else:
        log.error("slack.unknown_work", kind=kind)
