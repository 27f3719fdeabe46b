"""The command line, as a user runs it (typer's runner, real settings from the environment)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sync.cli.main import app
from sync.settings import get_settings


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)  # no stray .env is read, var/ lands in tmp
    monkeypatch.setenv("COSTBRIDGE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("COSTBRIDGE_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'cb.db'}")
    monkeypatch.setenv("COSTBRIDGE_LOG_LEVEL", "WARNING")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_db_upgrade_status_and_retry_on_an_empty_database(env: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    assert (env / "var" / "cb.db").exists()
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "dead letters" in result.output and "running" in result.output
    result = runner.invoke(app, ["retry"])
    assert result.exit_code == 0 and "no dead letters" in result.output
    assert runner.invoke(app, ["pause"]).exit_code == 0
    assert "paused" in runner.invoke(app, ["status"]).output
    assert runner.invoke(app, ["resume"]).exit_code == 0
    assert "running" in runner.invoke(app, ["status"]).output


def test_demo_once_posts_the_mapped_and_leaves_the_unmapped_waiting(env: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--once"])
    assert result.exit_code == 0, result.output
    assert "21 posted to the sandbox QuickBooks, 3 waiting for a human." in result.output
    # the commitment posts as a purchase order; its ten-line change order adds lines to it
    assert "→ PurchaseOrder 1021-SC-001 ($62750.00)" in result.output
    assert "→ lines on PurchaseOrder 1021-SC-001 ($47026.60)" in result.output
    assert "no rule gives an account or an item" in result.output


def test_void_answers_in_one_line_and_exits_1_on_refusal(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--once"]).exit_code == 0
    db_path = env / "var" / "demo.db"  # the demo's database: commands point at it
    monkeypatch.setenv("COSTBRIDGE_DATABASE_URL", f"sqlite:///{db_path}")
    get_settings.cache_clear()
    missing = runner.invoke(app, ["void", "424242"])
    assert missing.exit_code == 1 and "no document '424242'" in missing.output
    with sqlite3.connect(db_path) as db:
        [(waiting,)] = db.execute(
            "SELECT d.id FROM source_documents d JOIN document_versions v "
            "ON v.id = d.current_version_id WHERE v.state = 'needs_attention' LIMIT 1"
        ).fetchall()
        [(posted,)] = db.execute("SELECT document_id FROM target_links LIMIT 1").fetchall()
    never = runner.invoke(app, ["void", str(waiting)])
    assert never.exit_code == 1 and "never posted to QuickBooks" in never.output
    # The demo's QuickBooks lived in the demo process: not connected now, nothing recorded.
    offline = runner.invoke(app, ["void", str(posted)])
    assert offline.exit_code == 1 and "was not voided" in offline.output
    for result in (missing, never, offline):
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    with sqlite3.connect(db_path) as db:
        [(voided,)] = db.execute("SELECT count(*) FROM target_links WHERE voided").fetchall()
    assert voided == 0
