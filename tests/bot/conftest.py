"""The real service, both sandboxes (Procore, QuickBooks) and the sandbox Slack on a socket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bot import ids
from sandbox.demo.company import CHANGE_ORDER_RESOURCES, build_world, register_hook
from sandbox.demo.setup import SERVICE_BASE, demo_settings, seed_costbridge
from sandbox.procore import create_app as procore_app
from sandbox.qbo import create_app as qbo_app
from sandbox.slack import SlackDriver, SlackState
from sandbox.slack import create_app as slack_app
from sandbox.slack.server import serving
from sandbox.slack.state import APPROVER, BOT_TOKEN, SIGNING_SECRET, Message
from sandbox.transport import SandboxTransport
from sync.clock import FrozenClock
from sync.service import build_service
from sync.settings import Settings
from sync.web import create_app
from tests.e2e.conftest import FakeSleep, Harness

CHANNEL = "C0SYNC"


@dataclass
class SlackHarness(Harness):
    slack: SlackState
    driver: SlackDriver

    def messages(self) -> list[Message]:
        return self.slack.top_level(CHANNEL)

    def only_message(self) -> Message:
        [message] = self.messages()
        return message

    def button(self, message: Message, action_id: str) -> dict[str, Any]:
        for block in message.blocks:
            for element in block.get("elements", []):
                if element.get("action_id") == action_id:
                    return {**element, "block_id": block.get("block_id", "")}
        raise AssertionError(f"no {action_id} in {message.text}")

    def button_row(self, message: Message) -> list[dict[str, Any]]:
        """The elements of the message's last actions block (its buttons)."""
        rows = [b for b in message.blocks if b["type"] == "actions"]
        return list(rows[-1]["elements"])

    def group_blocks(self, message: Message) -> list[str]:
        return [
            b["block_id"]
            for b in message.blocks
            if b["type"] == "actions" and b.get("block_id", "").startswith("g")
        ]

    async def click(
        self,
        message: Message,
        action_id: str,
        *,
        user: str = APPROVER,
        values: dict[str, Any] | None = None,
    ) -> httpx.Response:
        action = self.button(message, action_id)
        return await self.driver.block_action(CHANNEL, message.ts, action, user=user, values=values)

    async def pick_account(
        self, message: Message, query: str, *, user: str = APPROVER
    ) -> dict[str, Any]:
        """Ask for options like Slack does while someone types; the best match."""
        block_id = self.group_blocks(message)[0]
        response = await self.driver.options(
            CHANNEL, message.ts, block_id, ids.PICK_ACCOUNT, query, user=user
        )
        assert response.status_code == 200
        options = [o for g in response.json()["option_groups"] for o in g["options"]]
        return options[0]  # type: ignore[no-any-return]

    def choice(self, message: Message, option: dict[str, Any], scope: str) -> dict[str, Any]:
        block_id = self.group_blocks(message)[0]
        return {
            block_id: {
                ids.PICK_ACCOUNT: {"type": "external_select", "selected_option": option},
                ids.SCOPE: {
                    "type": "static_select",
                    "selected_option": {
                        "text": {"type": "plain_text", "text": scope},
                        "value": scope,
                    },
                },
            }
        }


def slack_settings(base: Settings, api_url: str) -> Settings:
    return base.model_copy(
        update={
            "slack_bot_token": SecretStr(BOT_TOKEN),
            "slack_signing_secret": SecretStr(SIGNING_SECRET),
            "slack_api_base_url": f"{api_url}/api/",
            "slack_channel": "#costbridge",
            "slack_approvers": APPROVER,
        }
    )


@pytest.fixture
async def slack(db_url: str, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[SlackHarness]:
    world = build_world(clock)
    state = SlackState()
    holder: dict[str, SlackDriver] = {}
    sandbox = slack_app(state, driver=None)
    async with serving(sandbox) as slack_url:
        state.base_url = slack_url
        base = Settings(_env_file=None, data_dir=str(tmp_path))
        # One change order on its own per scenario, as in tests/e2e (amends are e2e's subject).
        settings = slack_settings(demo_settings(base, world), slack_url).model_copy(
            update={"database_url": db_url, "commitment_change_orders": "separate"}
        )
        sleep = FakeSleep(clock)
        svc = build_service(
            settings,
            clock=clock,
            procore_transport=SandboxTransport(procore_app(world.procore)),
            qbo_transport=SandboxTransport(qbo_app(world.qbo)),
            sleep=sleep,
        )
        await seed_costbridge(svc, world)
        web = create_app(svc)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url=SERVICE_BASE)
        world.procore.webhook_http = http
        register_hook(world, f"{SERVICE_BASE}/webhooks/procore", CHANGE_ORDER_RESOURCES)
        holder["driver"] = SlackDriver(state, http)
        try:
            yield SlackHarness(world, svc, web, http, clock, sleep, state, holder["driver"])
        finally:
            await http.aclose()
            await svc.aclose()
