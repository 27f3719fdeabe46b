"""Socket Mode by setting: the same Bolt app and listeners, refused clearly without a token.

Nothing here connects to Slack: the handler is built, never started.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
import structlog
from pydantic import SecretStr
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from typer.testing import CliRunner

from bot.runtime import find_bot
from bot.socket_mode import SocketModeRefused, socket_mode_handler
from sync.cli.main import app as cli
from sync.runtime import serve
from sync.settings import get_settings
from tests.bot.conftest import SlackHarness


def _socket_mode(h: SlackHarness, app_token: str | None) -> None:
    h.svc.settings.__dict__.update(
        slack_socket_mode=True,
        slack_app_token=SecretStr(app_token) if app_token is not None else None,
    )


async def test_http_mode_is_the_default(slack: SlackHarness) -> None:
    assert slack.svc.settings.slack_socket_mode is False
    assert socket_mode_handler(slack.svc) is None


async def test_socket_mode_shares_the_http_apps_listeners(slack: SlackHarness) -> None:
    _socket_mode(slack, "xapp-1-A0TEST-1-abc")
    handler = socket_mode_handler(slack.svc)
    assert isinstance(handler, AsyncSocketModeHandler)
    bot = find_bot(slack.svc)
    assert bot is not None and handler.app is bot.bolt_app  # the one app /slack/events serves
    assert handler.client.app_token == "xapp-1-A0TEST-1-abc"
    assert handler.client.web_client is bot.client
    # the listeners registered by bot.app: the /sync command, actions, options, events
    assert len(bot.bolt_app._async_listeners) >= 4


@pytest.mark.parametrize("token", [None, "xoxb-not-an-app-token"])
async def test_serve_refuses_to_start_without_an_app_token(
    slack: SlackHarness, token: str | None
) -> None:
    _socket_mode(slack, token)
    with pytest.raises(SocketModeRefused, match="SLACK_APP_TOKEN"):
        # bounded: a serve that did not refuse would run until stopped
        await asyncio.wait_for(serve(slack.svc, slack.web, host="127.0.0.1", port=0), 10)


def test_the_command_says_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("COSTBRIDGE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("COSTBRIDGE_DATABASE_URL", f"sqlite:///{tmp_path / 'cb.db'}")
    monkeypatch.setenv("COSTBRIDGE_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("COSTBRIDGE_SLACK_SOCKET_MODE", "true")
    for name in ("SLACK_APP_TOKEN", "COSTBRIDGE_SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    # The command configures logging onto the runner's stderr, which closes afterwards: put
    # back what the rest of the test session logs to.
    saved_structlog, root = structlog.get_config(), logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    try:
        result = CliRunner().invoke(cli, ["serve", "--port", "0"])
    finally:
        get_settings.cache_clear()
        structlog.configure(**saved_structlog)
        root.handlers[:], root.level = saved_handlers, saved_level
    assert result.exit_code == 2
    assert "SLACK_APP_TOKEN is not set" in result.output
    assert not (tmp_path / "cb.db").exists()  # refused before anything started
