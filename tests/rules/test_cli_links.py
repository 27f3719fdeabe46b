"""``costbridge links``, ``requeue`` and ``reference refresh`` as a user runs them, on the
demo's database (its reference cache is fresh; QuickBooks itself is not reachable here)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from sync.cli.main import app
from tests.rules.test_cli_rules import demo_db, query

__all__ = ["demo_db"]


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_links_list_remove_and_add_by_name(demo_db: Path) -> None:
    listed = run("links", "list")
    assert listed.exit_code == 0, listed.output
    assert "→ customer:job Acme Builders:1021 Main St Renovation (id " in listed.output
    assert "by demo-seed" in listed.output
    total = int(listed.output.strip().splitlines()[-1].split()[0])

    gone = run("links", "remove", "project", "1021 main st renovation")
    assert gone.exit_code == 0, gone.output
    assert gone.output.startswith("unlinked project ")
    assert int(run("links", "list").output.strip().splitlines()[-1].split()[0]) == total - 1

    suggested = run("links", "suggest")
    assert suggested.exit_code == 0, suggested.output
    assert "Acme Builders:1021 Main St Renovation (id" in suggested.output
    assert "same name" in suggested.output and "costbridge links add project" in suggested.output

    added = run("links", "add", "project", "1021 Main St Renovation", "1021 Main St Renovation")
    assert added.exit_code == 0, added.output
    assert "→ customer:job Acme Builders:1021 Main St Renovation (id" in added.output
    assert "waiting document(s) queued again" in added.output
    [(author,)] = query(
        demo_db,
        "SELECT author FROM entity_links WHERE source_kind = 'project' "
        "AND target_name = 'Acme Builders:1021 Main St Renovation'",
    )
    assert author  # who linked it is kept


def test_link_mistakes_are_one_line_each(demo_db: Path) -> None:
    nobody = run("links", "add", "vendor", "Bright Spark Electric", "Nobody At All")
    assert nobody.exit_code == 1
    assert nobody.output.startswith("error: no vendor has the id, number or name 'Nobody At All'")
    assert "Traceback" not in nobody.output
    unknown = run("links", "add", "vendor", "Not A Vendor", "Bright Spark Electric")
    assert unknown.exit_code == 1 and "no vendor 'Not A Vendor'" in unknown.output
    kind = run("links", "add", "customer", "1", "2")
    assert kind.exit_code == 2 and "project" in kind.output  # typer names the two choices


def test_requeue_and_reference_refresh(demo_db: Path) -> None:
    [(waiting,)] = query(
        demo_db,
        "SELECT d.id FROM source_documents d JOIN document_versions v "
        "ON v.id = d.current_version_id WHERE v.state = 'needs_attention' LIMIT 1",
    )
    again = run("requeue", str(waiting))
    assert again.exit_code == 0, again.output
    assert "(was needs_attention) queued again" in again.output
    missing = run("requeue", "424242")
    assert missing.exit_code == 1 and "no document '424242'" in missing.output

    offline = run("reference", "refresh")  # the demo's QuickBooks lived in the demo process
    assert offline.exit_code == 1
    assert "could not be read" in offline.output and "Traceback" not in offline.output
