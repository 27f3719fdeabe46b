"""The bot's long-lived parts for one service: the Slack client, the approvers, the Bolt app.

One ``SlackBot`` per service, kept on ``svc.hooks.parts`` by ``bot.extension.install``;
listeners and work handlers find it again with ``find_bot``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_sdk.web.async_client import AsyncWebClient

from bot.approvers import Approvers
from bot.client import slack_client
from sync.service import Service
from sync.settings import Settings

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp


class SlackBot:
    def __init__(self, settings: Settings, client: AsyncWebClient | None) -> None:
        self.settings = settings
        self.client = client  # None when no bot token is configured: nothing is sent then
        self.approvers = Approvers(settings, client)
        # The Bolt app with our listeners, once mounted: HTTP and Socket Mode share it.
        self.bolt_app: AsyncApp | None = None

    @property
    def channel(self) -> str:
        return self.settings.slack_channel


def attach(svc: Service, client: AsyncWebClient | None = None) -> SlackBot:
    """The service's bot, created and kept on the service once (idempotent)."""
    existing = find_bot(svc)
    if existing is not None:
        return existing
    bot = SlackBot(svc.settings, client or slack_client(svc.settings))
    svc.hooks.parts.append(bot)
    return bot


def find_bot(svc: Service) -> SlackBot | None:
    return svc.hooks.part(SlackBot)
