"""Socket Mode (``COSTBRIDGE_SLACK_SOCKET_MODE``): Slack over a WebSocket, for local development.

The same Bolt app as ``POST /slack/events`` (built once by ``bot.web.mount_slack``, so the
listeners are shared); only the transport differs. Slack skips request signing in Socket Mode;
the app-level token (``xapp-``) authenticates the connection instead.
"""

from __future__ import annotations

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.runtime import find_bot
from sync.errors import ConfigurationError
from sync.service import Companion, Service


class SocketModeRefused(ConfigurationError):
    """Socket Mode is on but cannot work: the message says what to set."""


def socket_mode_handler(svc: Service) -> AsyncSocketModeHandler | None:
    """The handler ``serve`` runs beside the web app; None in HTTP mode (the default).

    Call after the web app was built (``sync.web.create_app`` mounts Slack)."""
    settings = svc.settings
    if not settings.slack_socket_mode:
        return None
    token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else ""
    if not token.startswith("xapp-"):
        raise SocketModeRefused(
            "COSTBRIDGE_SLACK_SOCKET_MODE is on but SLACK_APP_TOKEN is "
            + ("not an app-level token (xapp-...)" if token else "not set")
            + ": create one under Basic Information > App-Level Tokens with the "
            "connections:write scope, or turn Socket Mode off to use HTTP at /slack/events."
        )
    bot = find_bot(svc)
    if bot is None or bot.bolt_app is None or bot.client is None:
        raise SocketModeRefused(
            "COSTBRIDGE_SLACK_SOCKET_MODE is on but Slack is not configured: "
            "set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET as well."
        )
    return AsyncSocketModeHandler(bot.bolt_app, token, web_client=bot.client)


class SocketModeCompanion:
    """Slack over a WebSocket for as long as ``serve`` runs."""

    def __init__(self, handler: AsyncSocketModeHandler) -> None:
        self.handler = handler

    async def start(self) -> None:
        """Open the WebSocket (returns once connected; Bolt's client keeps it alive)."""
        await self.handler.connect_async()  # type: ignore[no-untyped-call]  # slack_bolt: unannotated

    async def stop(self) -> None:
        await self.handler.close_async()  # type: ignore[no-untyped-call]  # slack_bolt: unannotated


def socket_mode_companion(svc: Service) -> Companion | None:
    """What ``serve`` runs beside the web app; None in HTTP mode (the default)."""
    handler = socket_mode_handler(svc)
    return None if handler is None else SocketModeCompanion(handler)
