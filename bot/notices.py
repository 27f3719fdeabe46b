"""The bot as a notifier: what the engine's durable ``notify`` work items tell Slack."""

from __future__ import annotations

from typing import Any

from bot.runtime import find_bot
from bot.services.health_alerts import on_health
from bot.services.home import refresh_homes
from bot.services.notify import on_state_change
from sync.service import Service


async def notify_slack(svc: Service, data: dict[str, Any]) -> None:
    bot = find_bot(svc)
    if bot is None or bot.client is None:
        return
    if "health_id" in data:  # a connection's health changed (sync.health.store)
        await on_health(bot, svc, int(data["health_id"]))
        await refresh_homes(svc)
    else:
        await on_state_change(bot, svc, int(data["document_id"]))
