"""Sends what Slack sends to an app's Request URL, signed: slash commands, block actions,
options requests (``block_suggestion``), view submissions and Events API callbacks.

Payload shapes follow Slack's reference (interaction payloads are form-encoded ``payload=``
JSON; slash commands are plain forms; events are JSON). Clicks carry the message as stored in
the sandbox and the ``state.values`` of its selects, as a Slack client would.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx

from sandbox.slack.signing import signed_headers
from sandbox.slack.state import APPROVER, SIGNING_SECRET, TEAM_ID, SlackState

FORM = "application/x-www-form-urlencoded"


class SlackDriver:
    def __init__(
        self,
        state: SlackState,
        http: httpx.AsyncClient,
        *,
        events_url: str = "/slack/events",
        signing_secret: str = SIGNING_SECRET,
    ) -> None:
        self.state = state
        self.http = http
        self.events_url = events_url
        self.signing_secret = signing_secret
        self._triggers = 0

    async def send(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        signed = signed_headers(
            secret or self.signing_secret, body, content_type, timestamp=timestamp
        )
        return await self.http.post(
            self.events_url, content=body.encode(), headers={**signed, **(headers or {})}
        )

    def _trigger(self) -> str:
        self._triggers += 1
        return f"{self._triggers}.{int(time.time())}.sandbox"

    async def command(
        self, text: str, *, user: str = APPROVER, channel: str = "C0SYNC", command: str = "/sync"
    ) -> httpx.Response:
        form = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "acme-sandbox",
            "channel_id": channel,
            "channel_name": self.state.channels.get(channel, channel),
            "user_id": user,
            "user_name": self.state.users.get(user, user).split()[0].lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0COSTBRIDGE",
            "response_url": self.state.new_response_url(channel, "", user),
            "trigger_id": self._trigger(),
        }
        return await self.send(urlencode(form), FORM)

    async def interaction(self, payload: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return await self.send(urlencode({"payload": json.dumps(payload)}), FORM, **kwargs)

    async def block_action(
        self,
        channel: str,
        ts: str,
        action: dict[str, Any],
        *,
        user: str = APPROVER,
        values: dict[str, dict[str, Any]] | None = None,
    ) -> httpx.Response:
        """A click on an element of the message ``(channel, ts)``; ``values`` is its state."""
        message = self.state.find(channel, ts)
        assert message is not None, f"no message {channel}/{ts}"
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
            "api_app_id": "A0COSTBRIDGE",
            "team": {"id": TEAM_ID, "domain": "acme-sandbox"},
            "container": {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel,
                "is_ephemeral": False,
            },
            "trigger_id": self._trigger(),
            "channel": {"id": channel, "name": self.state.channels.get(channel, channel)},
            "message": message.as_json(),
            "state": {"values": values or {}},
            "response_url": self.state.new_response_url(channel, ts, user),
            "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
        }
        return await self.interaction(payload)

    async def options(
        self,
        channel: str,
        ts: str,
        block_id: str,
        action_id: str,
        value: str,
        *,
        user: str = APPROVER,
    ) -> httpx.Response:
        payload = {
            "type": "block_suggestion",
            "user": {"id": user, "team_id": TEAM_ID},
            "team": {"id": TEAM_ID},
            "api_app_id": "A0COSTBRIDGE",
            "container": {"type": "message", "message_ts": ts, "channel_id": channel},
            "channel": {"id": channel},
            "block_id": block_id,
            "action_id": action_id,
            "value": value,
        }
        return await self.interaction(payload)

    async def view_submission(
        self, view: dict[str, Any], values: dict[str, Any], *, user: str = APPROVER
    ) -> httpx.Response:
        payload = {
            "type": "view_submission",
            "user": {"id": user, "team_id": TEAM_ID},
            "team": {"id": TEAM_ID},
            "api_app_id": "A0COSTBRIDGE",
            "trigger_id": self._trigger(),
            "view": {**view, "state": {"values": values}},
        }
        return await self.interaction(payload)

    async def event(
        self, event: dict[str, Any], *, event_id: str, retry_num: int | None = None
    ) -> httpx.Response:
        body = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": "A0COSTBRIDGE",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": "U0BOT", "is_bot": True}],
        }
        headers = {}
        if retry_num is not None:  # Slack's redelivery after no answer within 3 s
            headers = {"x-slack-retry-num": str(retry_num), "x-slack-retry-reason": "http_timeout"}
        return await self.send(json.dumps(body), "application/json", headers=headers)
