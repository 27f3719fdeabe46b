"""``costbridge conflict DOCUMENT overwrite|keep``: the answer to an edit made in QuickBooks,
given from the command line against a real conflict (both sandboxes, the real service)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from db.models import AuditEntry, HistoryEntry
from sync.engine import states
from sync.engine.conflicts import KEPT

from .conflicts import (
    NOTE,
    Cli,
    cli_on,
    edited_in_quickbooks,
    link_of,
    one_line_output,
    settle,
    the_po,
    total,
    version_of,
)
from .conftest import Harness
from .scenario import one_line


@pytest.fixture
def cli(harness: Harness, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return cli_on(harness, db_url, tmp_path, monkeypatch)


async def test_conflict_overwrite_writes_procores_version_over_the_edit(
    harness: Harness, cli: Cli
) -> None:
    h = harness
    conflict = await edited_in_quickbooks(h)
    assert (await version_of(h, conflict.document_id)).state == states.NEEDS_ATTENTION
    assert the_po(h, conflict.po_id)["PrivateNote"] == NOTE  # nothing written yet

    result = await cli("conflict", str(conflict.document_id), "overwrite")
    assert result.exit_code == 0, result.output
    assert one_line_output(result) == (
        "PurchaseOrder SC-100-001: overwrite with Procore's version; commitment change order "
        f"001 (document {conflict.document_id}) syncs again"
    )
    await h.drain()
    po = the_po(h, conflict.po_id)
    assert po["PrivateNote"] == conflict.note  # ours again
    assert total(po) == Decimal("1500.00")
    assert (await version_of(h, conflict.document_id)).state == states.POSTED
    link = await link_of(h, conflict.document_id)
    assert not link.overwrite_next and link.detached_at is None
    async with h.svc.sessions() as session:
        audit = (
            await session.execute(
                select(AuditEntry).where(col(AuditEntry.action) == "conflict.overwrite")
            )
        ).scalars()
        assert [a.actor for a in audit] == ["cli"]

    again = await cli("conflict", str(conflict.document_id), "overwrite")  # answered already
    assert again.exit_code == 1
    assert "has no edit in QuickBooks waiting for an answer" in one_line_output(again)


async def test_conflict_keep_leaves_quickbooks_version_and_skips_later_changes(
    harness: Harness, cli: Cli
) -> None:
    h = harness
    conflict = await edited_in_quickbooks(h)

    result = await cli("conflict", f"procore:{conflict.order}", "keep")
    assert result.exit_code == 0, result.output
    assert one_line_output(result) == (
        "PurchaseOrder SC-100-001: QuickBooks' version kept; costbridge no longer writes it"
    )
    await h.drain()
    po = the_po(h, conflict.po_id)
    assert po["PrivateNote"] == NOTE and total(po) == Decimal("1260.00")
    assert (await version_of(h, conflict.document_id)).state == states.SKIPPED
    assert (await link_of(h, conflict.document_id)).detached_at is not None

    h.world.procore.update_change_order(conflict.order, lines=one_line("1800.00"))
    await settle(h)
    later = await version_of(h, conflict.document_id)
    assert later.state == states.SKIPPED and Decimal(later.total) == Decimal("1800.00")
    po = the_po(h, conflict.po_id)
    assert po["PrivateNote"] == NOTE and total(po) == Decimal("1260.00")  # not written
    async with h.svc.sessions() as session:
        causes = (
            await session.execute(
                select(col(HistoryEntry.cause)).where(col(HistoryEntry.version_id) == later.id)
            )
        ).scalars()
        assert "not synced: QuickBooks' version kept" in list(causes)
        kept = await session.execute(select(HistoryEntry).where(col(HistoryEntry.cause) == KEPT))
        assert [k.actor for k in kept.scalars()] == ["cli"]


async def test_conflict_refuses_in_one_line_and_changes_nothing(harness: Harness, cli: Cli) -> None:
    h = harness
    conflict = await edited_in_quickbooks(h)
    missing = await cli("conflict", "424242", "keep")
    assert missing.exit_code == 1 and "no document '424242'" in one_line_output(missing)
    unknown = await cli("conflict", str(conflict.document_id), "maybe")
    assert unknown.exit_code == 2 and "Traceback" not in unknown.output
    assert (await version_of(h, conflict.document_id)).state == states.NEEDS_ATTENTION
    assert (await link_of(h, conflict.document_id)).detached_at is None

    await cli("conflict", str(conflict.document_id), "keep")
    twice = await cli("conflict", str(conflict.document_id), "overwrite")
    assert twice.exit_code == 1
    assert one_line_output(twice) == (
        f"error: commitment change order 001 (document {conflict.document_id}) has no edit "
        "in QuickBooks waiting for an answer"
    )
    await h.drain()
    assert the_po(h, conflict.po_id)["PrivateNote"] == NOTE
