"""Events API: the App Home was opened. Deduplicated by ``event_id`` (Slack retries events)."""

from __future__ import annotations

from typing import Any

import structlog
from slack_bolt.async_app import AsyncApp

from bot.services import store
from bot.services.home import queue_home
from sync.service import Service

log = structlog.get_logger("costbridge.slack")


def register(app: AsyncApp, svc: Service) -> None:
    @app.event("app_home_opened")
    async def on_home_opened(body: dict[str, Any], event: dict[str, Any]) -> None:
        now = svc.clock.now()
        async with svc.sessions() as session, session.begin():
            if not await store.first_time(session, f"event:{body.get('event_id')}", now=now):
                log.info("slack.event_duplicate", event_id=body.get("event_id"))
                return
            await queue_home(session, str(event.get("user", "")), now=now, viewer=True)
