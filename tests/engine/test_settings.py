"""Settings read the documented variable names; empty secrets mean unset."""

from __future__ import annotations

import pytest

from sync.settings import Settings


def test_prefixed_and_slack_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COSTBRIDGE_DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("COSTBRIDGE_SECRET_KEY", "")
    settings = Settings(_env_file=None)
    assert settings.database_url == "postgresql://u@h/db"
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-1"
    assert "xoxb-1" not in repr(settings)
    assert settings.secret_key is None
