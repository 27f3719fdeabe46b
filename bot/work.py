"""The bot's own work kinds, registered on the service and run by the engine's worker."""

from __future__ import annotations

from typing import Any

import structlog

from bot.runtime import SlackBot, find_bot
from bot.services.actions import handle_click
from bot.services.backfill import run_backfill
from bot.services.clicks import Click
from bot.services.create import WORK_KIND, run_party
from bot.services.home import publish_home
from bot.services.wake import wake
from sync.service import Service, WorkHandler

log = structlog.get_logger("costbridge.slack")


def _talking_bot(svc: Service, kind: str) -> SlackBot | None:
    bot = find_bot(svc)
    if bot is None or bot.client is None:
        log.warning("slack.not_configured", kind=kind)  # nothing to talk to: drop, logged
        return None
    return bot


async def _wake(svc: Service, data: dict[str, Any]) -> None:
    await wake(svc, int(data["document_id"]))  # the engine's side: needs no Slack


async def _party(svc: Service, data: dict[str, Any]) -> None:
    await run_party(svc, data)  # create + link must happen even if Slack is down meanwhile


async def _action(svc: Service, data: dict[str, Any]) -> None:
    if bot := _talking_bot(svc, "slack_action"):
        await handle_click(bot, svc, Click.of(data))


async def _home(svc: Service, data: dict[str, Any]) -> None:
    if bot := _talking_bot(svc, "slack_home"):
        await publish_home(bot, svc, str(data["user"]))


async def _backfill(svc: Service, data: dict[str, Any]) -> None:
    if bot := _talking_bot(svc, "slack_backfill"):
        await run_backfill(bot, svc, data)


WORK: dict[str, WorkHandler] = {
    "slack_wake": _wake,
    WORK_KIND: _party,
    "slack_action": _action,
    "slack_home": _home,
    "slack_backfill": _backfill,
}
