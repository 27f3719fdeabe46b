"""Secrets never reach a log line."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr

import structlog

from sync.logs import REDACTED, configure_logging, redact_secrets


def test_secret_keys_and_secret_looking_values_are_redacted() -> None:
    event = redact_secrets(
        None,
        "info",
        {
            "event": "qbo.call",
            "authorization": "Bearer abc.def",
            "refresh_token": "RT1-123",
            "headers": {"Authorization": "Basic dXNlcjpwYXNz", "Accept": "application/json"},
            "detail": "sent Bearer eyJhbGciOi.eyJzdWIi.sig to xoxb-1234-abcd",
            "status": 401,
        },
    )
    assert event["authorization"] == REDACTED
    assert event["refresh_token"] == REDACTED
    assert event["headers"] == {"Authorization": REDACTED, "Accept": "application/json"}
    assert "eyJ" not in event["detail"] and "xoxb" not in event["detail"]
    assert event["status"] == 401


def test_configured_logger_writes_json_without_the_secret() -> None:
    stream = io.StringIO()
    with redirect_stderr(stream):
        configure_logging("INFO", json=True)
        structlog.get_logger("t").info("procore.token", client_secret="s3cret", company="42")
    structlog.reset_defaults()
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["event"] == "procore.token"
    assert line["client_secret"] == REDACTED
    assert line["company"] == "42"
    assert "s3cret" not in stream.getvalue()
