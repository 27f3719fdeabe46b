"""``costbridge demo --target qbd --once``: the whole flow into the fake company file."""

from __future__ import annotations

from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from sync.cli.main import app
from sync.settings import get_settings


def test_demo_into_quickbooks_desktop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COSTBRIDGE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("COSTBRIDGE_LOG_LEVEL", "WARNING")
    get_settings.cache_clear()
    logging = structlog.get_config()
    try:
        result = CliRunner().invoke(app, ["demo", "--target", "qbd", "--once"])
    finally:
        get_settings.cache_clear()
        structlog.configure(**logging)
    assert result.exit_code == 0, result.output
    assert "14 posted to the sandbox QuickBooks Desktop company file" in result.output
    assert "3 waiting for a human" in result.output
    assert "PurchaseOrder SC-001-001 ($47026.60)" in result.output
