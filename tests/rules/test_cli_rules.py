"""``costbridge rules ...`` as a user runs it (typer's runner, settings from the environment)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from sync.cli.main import app
from sync.logs import configure_logging
from sync.settings import get_settings


@pytest.fixture
def demo_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The demo's database after `costbridge demo --once`, payloads kept; commands point at it."""
    monkeypatch.chdir(tmp_path)  # no stray .env is read, var/ lands in tmp
    monkeypatch.setenv("COSTBRIDGE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("COSTBRIDGE_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("COSTBRIDGE_PURGE_PAYLOADS", "false")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["demo", "--once"])
    assert "21 posted to the sandbox QuickBooks, 3 waiting for a human." in result.output
    db = tmp_path / "var" / "demo.db"
    monkeypatch.setenv("COSTBRIDGE_DATABASE_URL", f"sqlite:///{db}")
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()
    # The commands bound the loggers to the runner's stream, closed by now: later tests log.
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(getattr(handler, "stream", None), "closed", False):
            root.removeHandler(handler)
    configure_logging("WARNING")


def rules(*args: str) -> Result:
    return CliRunner().invoke(app, ["rules", *args])


def query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_explain_the_ten_line_change_order(demo_db: Path) -> None:
    [(procore_id, doc_id)] = query(
        demo_db,
        "SELECT d.external_id, d.id FROM source_documents d JOIN document_versions v "
        "ON v.id = d.current_version_id WHERE v.line_count = 10",
    )
    result = rules("explain", str(procore_id))
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"(document {doc_id})" in out.splitlines()[0]
    assert [n for n in range(1, 11) if f"\nLine {n} (" in out] == list(range(1, 11))
    line3 = out[out.index("\nLine 3 (") : out.index("\nLine 4 (")]
    assert "16-100 Electrical · Subcontract" in line3
    assert (
        "Account 5031 Job Expenses:Subcontractors:Electrical Subcontract from rule #5 "
        "(cost code 16-*, base type commitment, by demo-seed, "
    ) in line3
    assert "also matched rule #4 (base type commitment) — less specific." in line3
    assert "Account 5010 Job Expenses:Labor from rule #1 (base type labor" in out

    one = rules("explain", f"procore:{procore_id}", "--line", "3")
    assert one.exit_code == 0 and one.output.count("\nLine ") == 1 and "rule #5" in one.output

    query(demo_db, "UPDATE document_versions SET payload = NULL WHERE line_count = 10")
    purged = rules("explain", str(doc_id))
    assert purged.exit_code == 1 and "purged after posting" in purged.output
    assert "--fetch" in purged.output
    missing = rules("explain", "424242")
    assert missing.exit_code == 1 and "no document '424242'" in missing.output


def test_export_then_dry_run_import_changes_nothing(demo_db: Path, tmp_path: Path) -> None:
    for name in ("rules.csv", "rules.yaml"):
        assert rules("export", str(tmp_path / name)).exit_code == 0
        result = rules("import", str(tmp_path / name), "--dry-run", "--replace")
        assert result.exit_code == 0, result.output
        assert "Dry run: nothing was changed." in result.output
        assert "0 rule(s) added, 0 changed, 0 removed (deactivated), 6 unchanged." in result.output
    csv_text = (tmp_path / "rules.csv").read_text(encoding="utf-8")
    assert csv_text.startswith("id,priority,active,source,")
    assert rules("export", "--format", "yaml").output.startswith("version: 1\nrules:\n- id: 1\n")


def test_import_dry_run_with_a_bad_row_names_it_and_changes_nothing(
    demo_db: Path, tmp_path: Path
) -> None:
    before = rules("export").output
    audit = query(demo_db, "SELECT count(*) FROM audit_log")
    sheet = tmp_path / "new.csv"
    sheet.write_text(
        "cost_code,cost_type_base,account_id\n31-*,other,Site Work\n03-*,labour,5010\n",
        encoding="utf-8",
    )
    result = rules("import", str(sheet), "--dry-run")
    assert result.exit_code == 1
    assert "error: line 3, field cost_type_base: Input should be 'labor'" in result.output
    assert "nothing changed" in result.output
    assert rules("export").output == before
    assert query(demo_db, "SELECT count(*) FROM audit_log") == audit


def test_import_reports_and_requeues_the_waiting(demo_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "earthwork.csv"
    sheet.write_text("cost_code,cost_type,account_id\n31-*,Other,5050\n", encoding="utf-8")
    dry = rules("import", str(sheet), "--dry-run")
    assert "Waiting documents: 3; 2 would be resolved: commitment change order" in dry.output
    assert "Posted documents (a rule change never re-posts them): 21 checked," in dry.output
    result = rules("import", str(sheet))
    assert result.exit_code == 0, result.output
    assert "Imported.\n1 rule(s) added" in result.output
    assert "2 waiting document(s) queued again" in result.output
    assert query(demo_db, "SELECT origin, author FROM mapping_rules WHERE id = 7")[0][0] == "csv"


def test_add_list_deactivate(demo_db: Path) -> None:
    added = rules(
        "add", "--cost-code", "31-*", "--cost-type", "Other", "--account", "Site Work",
        "--class", "Subs", "--custom", "Phase=1", "--custom-in", "Area=North,South",
        "--author", "jane", "--note", "earthwork extras",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "added rule #7: cost code 31-*, cost type Other, Area in (North, South), Phase = 1" in (
        added.output
    )
    assert rules("add", "--cost-code", "31-*", "--cost-type", "Other", "--account", "5050",
                 "--class", "Subs", "--custom", "Phase=1", "--custom-in", "Area=South,North",
                 "--author", "jane", "--note", "earthwork extras").output.startswith(
        "rule #7 already says exactly this"
    )  # fmt: skip
    listed = rules("list", "earthwork")
    assert listed.output.startswith("#7 v1 active  cost code 31-*")
    assert "→ Account 5050 Job Expenses:Site Work, Class Subs  (cli, by jane, " in listed.output
    assert listed.output.endswith("1 rule(s)\n")

    bad = rules("add", "--cost-type-base", "labr", "--account", "5010")
    assert bad.exit_code == 1 and "field --cost-type-base:" in bad.output
    unknown = rules("add", "--cost-type", "Other", "--account", "Labour costs")
    assert unknown.exit_code == 1 and "field --account: no account has" in unknown.output

    off = rules("deactivate", "7", "--author", "jane")
    assert off.exit_code == 0 and "rule #7 is inactive (version 2)" in off.output
    # Its custom field conditions match no waiting line: nothing to re-map.
    assert "0 waiting document(s) queued again" in off.output
    assert rules("list", "earthwork").output == "0 rule(s)\n"
    assert "#7 v2 inactive" in rules("list", "--all", "earthwork").output
    assert rules("deactivate", "99").exit_code == 1
