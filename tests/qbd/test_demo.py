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
    # seven commitments and fourteen change orders; the change orders' lines went onto their
    # commitments' purchase orders: nine transactions (seven purchase orders, two invoices)
    assert "21 posted to the sandbox QuickBooks Desktop company file" in result.output
    assert "(9 transactions there), 3 waiting for a human" in result.output
    assert "→ PurchaseOrder 1021-SC-001 ($62750.00)" in result.output
    assert "→ lines on PurchaseOrder 1021-SC-001 ($47026.60)" in result.output
