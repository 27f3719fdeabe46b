"""The bot's long-lived parts for one service: the Slack client, approvers, the notifier.

``install`` registers the bot as one of the service's notifiers (the worker calls it from the
durable ``notify`` work items); listeners and work handlers find it again with ``find_bot``.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.approvers import Approvers
from bot.client import slack_client
from sync.service import Service
from sync.settings import Settings


class SlackBot:
    """A ``Notifier`` (``await bot(svc, data)``) that also carries what listeners need."""

    def __init__(self, settings: Settings, client: AsyncWebClient | None) -> None:
        self.settings = settings
        self.client = client
        self.approvers = Approvers(settings, client)

    @property
    def channel(self) -> str:
        return self.settings.slack_channel

    async def __call__(self, svc: Service, data: dict[str, Any]) -> None:
        from bot.services.notify import on_state_change

        if self.client is not None:
            await on_state_change(self, svc, int(data["document_id"]))


def install(svc: Service, client: AsyncWebClient | None = None) -> SlackBot:
    """The service's bot, created and registered once (idempotent)."""
    existing = find_bot(svc)
    if existing is not None:
        return existing
    bot = SlackBot(svc.settings, client or slack_client(svc.settings))
    svc.notifiers.append(bot)
    return bot


def find_bot(svc: Service) -> SlackBot | None:
    for notifier in svc.notifiers:
        if isinstance(notifier, SlackBot):
            return notifier
    return None
