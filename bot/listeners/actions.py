"""Block actions: clicks that change something are queued; selections are only acknowledged."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot import ids
from bot.services import store
from sync.engine import queue
from sync.service import Service

_CHANGES = re.compile("^(" + "|".join(re.escape(a) for a in sorted(ids.CHANGES)) + ")$")
_SELECTIONS = re.compile("^(" + "|".join(re.escape(a) for a in sorted(ids.SELECTIONS)) + ")$")


def register(app: AsyncApp, svc: Service) -> None:
    @app.action(_CHANGES)
    async def on_change(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await store_click(svc, body, action)
        await ack()

    @app.action(_SELECTIONS)
    async def on_selection(ack: AsyncAck) -> None:
        # Slack keeps the selection in the message state; "Apply & sync" reads it from there.
        await ack()


async def store_click(svc: Service, body: dict[str, Any], action: dict[str, Any]) -> None:
    """Record the click once (Slack ids) and queue it for the worker, in one transaction."""
    user = str((body.get("user") or {}).get("id", ""))
    container = body.get("container") or {}
    message_ts = str(container.get("message_ts") or (body.get("message") or {}).get("ts", ""))
    channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id", ""))
    delivery = f"action:{user}:{message_ts}:{action.get('action_id')}:{action.get('action_ts')}"
    digest = hashlib.sha256(delivery.encode()).hexdigest()[:32]
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        if not await store.first_time(session, f"action:{digest}", now=now):
            return
        await queue.enqueue(
            session,
            key=f"slack:action:{digest}",
            kind="slack_action",
            data={
                "user": user,
                "action_id": action.get("action_id"),
                "value": action.get("value", ""),
                "channel": channel,
                "message_ts": message_ts,
                "state": body.get("state") or {},
            },
            now=now,
        )
