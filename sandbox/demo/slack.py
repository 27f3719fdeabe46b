"""The sandbox Slack in the demo: served on a local port, wired to costbridge in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from sandbox.slack.app import create_app
from sandbox.slack.driver import SlackDriver
from sandbox.slack.server import serving
from sandbox.slack.state import APPROVER, BOT_TOKEN, SIGNING_SECRET, SlackState
from sync.settings import Settings


@dataclass
class SandboxSlack:
    state: SlackState
    app: FastAPI
    url: str
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def settings_for(self, settings: Settings) -> Settings:
        """The user's settings with Slack pointed at this sandbox (Alice is the approver)."""
        return settings.model_copy(
            update={
                "slack_bot_token": SecretStr(BOT_TOKEN),
                "slack_signing_secret": SecretStr(SIGNING_SECRET),
                "slack_api_base_url": f"{self.url}/api/",
                "slack_channel": "#costbridge",
                "slack_approvers": APPROVER,
            }
        )

    def connect(self, costbridge: FastAPI, base_url: str = "http://costbridge.local") -> None:
        """Clicks on the page go to costbridge's /slack/events (in-process, signed)."""
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=costbridge), base_url=base_url)
        self.clients.append(http)
        self.app.state.driver = SlackDriver(self.state, http)


@asynccontextmanager
async def sandbox_slack(port: int = 0) -> AsyncIterator[SandboxSlack]:
    state = SlackState()
    app = create_app(state)
    async with serving(app, port=port) as url:
        state.base_url = url
        slack = SandboxSlack(state, app, url)
        try:
            yield slack
        finally:
            for client in slack.clients:
                await client.aclose()
