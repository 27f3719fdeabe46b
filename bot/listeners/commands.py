"""``/sync``: parsed, run against the engine (database reads and small writes), answered in the
acknowledgement as an ephemeral message. Long work (backfill) is queued."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.runtime import SlackBot
from bot.services.commands import Caller, run_command
from sync.service import Service


def register(app: AsyncApp, svc: Service, bot: SlackBot) -> None:
    @app.command("/sync")
    async def on_sync(ack: AsyncAck, command: dict[str, Any]) -> None:
        caller = Caller(
            user=str(command.get("user_id", "")),
            channel=str(command.get("channel_id", "")),
            response_url=str(command.get("response_url", "")),
        )
        reply = await run_command(svc, bot, caller, str(command.get("text", "")))
        await ack(response_type="ephemeral", **reply.kwargs())
