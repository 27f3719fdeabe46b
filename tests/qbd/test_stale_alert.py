"""A silent Web Connector is one Slack alert per company file, resolved when it polls again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from sandbox.slack import SlackState
from sandbox.slack import create_app as slack_app
from sandbox.slack.server import serving
from sandbox.slack.state import BOT_TOKEN, SIGNING_SECRET
from sync.clock import FrozenClock
from sync.engine.worker import run_until_idle
from sync.health.jobs import check_web_connectors
from tests.qbd.conftest import QbdHarness, make_harness

CHANNEL = "C0SYNC"


@pytest.fixture
async def qbd_slack(
    db_url: str, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[tuple[QbdHarness, SlackState]]:
    state = SlackState()
    async with serving(slack_app(state, driver=None)) as slack_url:
        state.base_url = slack_url
        harness, clients = await make_harness(
            db_url,
            tmp_path,
            clock,
            slack_bot_token=SecretStr(BOT_TOKEN),
            slack_signing_secret=SecretStr(SIGNING_SECRET),
            slack_api_base_url=f"{slack_url}/api/",
            slack_channel="#costbridge",
        )
        try:
            yield harness, state
        finally:
            for client in clients:
                await client.aclose()
            await harness.svc.aclose()


async def _check(qbd: QbdHarness) -> None:
    """What the scheduler's job does, then the worker tells Slack."""
    await check_web_connectors(qbd.svc)
    await run_until_idle(qbd.svc)


async def test_a_silent_web_connector_is_one_alert_resolved_by_its_next_poll(
    qbd_slack: tuple[QbdHarness, SlackState],
) -> None:
    qbd, slack = qbd_slack
    await qbd.poll()
    await _check(qbd)
    assert slack.top_level(CHANNEL) == []  # polling on time: nothing to say

    qbd.clock.advance(46 * 60)  # more than 3 x 15 minutes without a poll
    await _check(qbd)
    [alert] = slack.top_level(CHANNEL)
    assert alert.text.startswith("🔌 The Web Connector for demo has stopped polling")
    qbd.clock.advance(15 * 60)
    await _check(qbd)  # still silent: the same message, edited
    [alert] = slack.top_level(CHANNEL)
    assert alert.edits == 1

    await qbd.poll()
    await _check(qbd)
    [alert] = slack.top_level(CHANNEL)
    assert alert.text == "✅ The Web Connector for demo is polling again"
    assert [m.text for m in slack.replies(CHANNEL, alert.ts)] == [alert.text]
