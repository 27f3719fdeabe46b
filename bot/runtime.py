"""The bot's long-lived parts for one service: the Slack client, approvers, the notifier.

``install`` registers the bot as one of the service's notifiers (the worker calls it from the
durable ``notify`` work items); listeners and work handlers find it again with ``find_bot``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.approvers import Approvers
from bot.client import slack_client
from sync.service import Service
from sync.settings import Settings

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp


class SlackBot:
    """A ``Notifier`` (``await bot(svc, data)``) that also carries what listeners need."""

    def __init__(self, settings: Settings, client: AsyncWebClient | None) -> None:
        self.settings = settings
        self.client = client
        self.approvers = Approvers(settings, client)
        # The Bolt app with our listeners, once mounted: HTTP and Socket Mode share it.
        self.bolt_app: AsyncApp | None = None

    @property
    def channel(self) -> str:
        return self.settings.slack_channel

    async def __call__(self, svc: Service, data: dict[str, Any]) -> None:
        from bot.services.health_alerts import on_health
        from bot.services.home import refresh_homes
        from bot.services.notify import on_state_change

        if self.client is None:
            return
        if "health_id" in data:  # a connection's health changed (sync.health_store)
            await on_health(self, svc, int(data["health_id"]))
            await refresh_homes(svc)
        else:
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
