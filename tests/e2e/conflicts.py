"""A real edit made in QuickBooks to a document costbridge wrote, through both sandboxes.

A commitment change order posts to the sandbox QuickBooks Online as a purchase order of its
own; a bookkeeper then changes its PrivateNote there (a sparse update through the sandbox's
REST API, with the current SyncToken, as QuickBooks' own window saves); then the change order
changes in the sandbox Procore. costbridge's update stops and asks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
import structlog
from sqlalchemy import select
from sqlmodel import col
from typer.testing import CliRunner, Result

from db.models import DocumentVersion, SourceDocumentRow, TargetLink
from sync.cli.main import app
from sync.service import Service
from sync.settings import get_settings
from sync.targets.qbo import QboTarget

from .conftest import Harness
from .scenario import commitment_change_order, one_line

NOTE = "Approved by Sam; do not change"
Cli = Callable[..., Awaitable[Result]]


@dataclass(frozen=True)
class Conflict:
    order: int  # the change order's Procore id
    document_id: int  # costbridge's
    po_id: str  # the purchase order's QuickBooks id
    note: str  # its PrivateNote as costbridge wrote it


async def bookkeeper_saves(svc: Service, entity: str, target_id: str, **fields: Any) -> None:
    """A save in QuickBooks Online's window: a sparse update with the current SyncToken."""
    client = cast(QboTarget, svc.target).client
    current = await client.read(entity, target_id)
    body = {"Id": target_id, "SyncToken": current["SyncToken"], "sparse": True, **fields}
    await client.write(entity, body, request_id=f"bookkeeper-{target_id}-{current['SyncToken']}")


async def settle(h: Harness) -> None:
    await h.deliver()
    await h.drain()


async def edited_in_quickbooks(h: Harness) -> Conflict:
    """Posted at $1,260.00, PrivateNote edited in QuickBooks, then $1,500.00 in Procore."""
    # A purchase order of its own: the change order owns its header (PrivateNote included).
    h.svc.settings = h.svc.settings.model_copy(update={"commitment_change_orders": "separate"})
    order = commitment_change_order(h.world, one_line("1260.00"))
    await settle(h)
    row = await change_order_row(h, order)
    assert row.id is not None
    link = await link_of(h, row.id)
    note = the_po(h, link.target_id)["PrivateNote"]
    await bookkeeper_saves(h.svc, "PurchaseOrder", link.target_id, PrivateNote=NOTE)
    h.world.procore.update_change_order(order, lines=one_line("1500.00"))
    await settle(h)
    return Conflict(order, row.id, link.target_id, note)


async def change_order_row(h: Harness, order: int) -> SourceDocumentRow:
    async with h.svc.sessions() as session:
        stmt = select(SourceDocumentRow).where(
            col(SourceDocumentRow.kind) == "commitment_change_order",
            col(SourceDocumentRow.external_id) == str(order),
        )
        return (await session.execute(stmt)).scalar_one()


async def version_of(h: Harness, document_id: int) -> DocumentVersion:
    async with h.svc.sessions() as session:
        row = await session.get(SourceDocumentRow, document_id)
        assert row is not None
        version = await session.get(DocumentVersion, row.current_version_id)
    assert version is not None
    return version


async def link_of(h: Harness, document_id: int) -> TargetLink:
    async with h.svc.sessions() as session:
        stmt = select(TargetLink).where(col(TargetLink.document_id) == document_id)
        return (await session.execute(stmt)).scalar_one()


def the_po(h: Harness, po_id: str) -> dict[str, Any]:
    [po] = [row for row in h.qbo_rows("PurchaseOrder") if row["Id"] == po_id]
    return po


def total(po: dict[str, Any]) -> Decimal:
    return Decimal(str(po["TotalAmt"]))


def cli_on(h: Harness, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """``costbridge …`` as a person runs it, on the harness's database. In a thread (the command
    runs its own event loop), its settings read afresh from the environment each time."""
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("COSTBRIDGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COSTBRIDGE_DATABASE_URL", db_url)
    monkeypatch.setenv("COSTBRIDGE_LOG_LEVEL", "WARNING")

    async def run(*args: str) -> Result:
        # The command configures logging onto the runner's stream, which closes after it: the
        # service in this test goes on logging as before.
        saved_structlog, root = structlog.get_config(), logging.getLogger()
        saved_handlers, saved_level = list(root.handlers), root.level
        get_settings.cache_clear()
        try:
            result = await asyncio.to_thread(CliRunner().invoke, app, list(args))
        finally:
            get_settings.cache_clear()
            structlog.configure(**saved_structlog)
            root.handlers[:], root.level = saved_handlers, saved_level
        # The command ran on the wall clock: the service's frozen clock catches up with it, so
        # what the command queued is due for the worker (one clock, as in production).
        behind = (datetime.now(UTC) - h.clock.now()).total_seconds()
        h.clock.advance(max(behind, 0) + 1)
        return result

    return run


def one_line_output(result: Result) -> str:
    """What the command said: one line, never a traceback."""
    assert "Traceback" not in result.output
    [line] = result.output.strip().splitlines()
    return line
