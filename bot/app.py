"""The Bolt ``AsyncApp``: signature verification, then our listeners.

``process_before_response=True``: Bolt answers Slack only once the listener returned. Our
listeners only touch the database (store, enqueue, read) and ``ack`` last, so the answer still
leaves well within Slack's 3 seconds, and "acknowledged" always means "durably stored" — the
same rule as the Procore webhook. It is also what FaaS (Lambda) needs.
"""

from __future__ import annotations

from typing import Any

import structlog
from slack_bolt.async_app import AsyncApp

from bot.listeners import actions, commands, events, options
from bot.runtime import SlackBot
from sync.service import Service

log = structlog.get_logger("costbridge.slack")


def build_bolt_app(svc: Service, bot: SlackBot, signing_secret: str) -> AsyncApp:
    assert bot.client is not None
    app = AsyncApp(
        client=bot.client,
        signing_secret=signing_secret,
        process_before_response=True,
        # Bolt's own logger would print payloads; ours is structlog with secrets redacted.
        logger=None,
    )

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("slack.listener_failed", error=repr(error), type=body.get("type"))

    actions.register(app, svc)
    options.register(app, svc)
    events.register(app, svc)
    commands.register(app, svc, bot)
    return app
