"""The real service with a Desktop target, the Web Connector simulator and a fake company file.

Every qbXML request the service emits in these tests goes through the fake QuickBooks, which
validates it against Intuit's qbxmlops130.xsd when the schemas are present
(``$QBXML_SCHEMA_DIR`` or ``../shared/specs/qbxml``); a harness that saw a request fail the
schema fails its test at teardown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlmodel import col

from db.models import DocumentVersion, HistoryEntry, SourceDocumentRow, TargetLink
from db.models_qbd import QbdRequest
from sandbox.demo.company import (
    CHANGE_ORDER_RESOURCES,
    DemoWorld,
    add_change_orders,
    build_world,
    register_hook,
)
from sandbox.demo.company_file import seed_demo
from sandbox.demo.qbd import link_world, qbd_settings, seed_costbridge_qbd, web_connector
from sandbox.demo.setup import SERVICE_BASE
from sandbox.procore import create_app as procore_app
from sandbox.qbd import CompanyFile, WebConnector
from sandbox.qbd.connector import SessionLog
from sandbox.qbd.schema import qbxml_schema
from sandbox.qbo import create_app as qbo_app
from sandbox.transport import SandboxTransport
from sync.clock import FrozenClock
from sync.engine.worker import run_until_idle
from sync.service import Service, build_service
from sync.settings import Settings
from sync.web import create_app
from tests.e2e.conftest import FakeSleep

EMITTED: list[str] = []  # every qbXML request of the whole run (checked in test_schema.py)


@dataclass
class QbdHarness:
    world: DemoWorld
    company: CompanyFile
    svc: Service
    web: FastAPI
    http: httpx.AsyncClient
    clock: FrozenClock
    connector: WebConnector

    async def poll(self) -> SessionLog:
        """One scheduled Web Connector run."""
        log = await self.connector.run()
        EMITTED.extend(log.requests)
        return log

    async def deliver_and_drain(self) -> None:
        await self.world.procore.dispatch_pending()
        await run_until_idle(self.svc)

    async def version_of(self, procore_id: int) -> DocumentVersion:
        async with self.svc.sessions() as session:
            row = (
                await session.execute(
                    select(SourceDocumentRow).where(
                        col(SourceDocumentRow.external_id) == str(procore_id)
                    )
                )
            ).scalar_one()
            version = await session.get(DocumentVersion, row.current_version_id)
            assert version is not None
            return version

    async def link_of(self, procore_id: int) -> TargetLink | None:
        version = await self.version_of(procore_id)
        async with self.svc.sessions() as session:
            return (
                await session.execute(
                    select(TargetLink).where(col(TargetLink.document_id) == version.document_id)
                )
            ).scalar_one_or_none()

    async def history(self, procore_id: int) -> list[HistoryEntry]:
        version = await self.version_of(procore_id)
        async with self.svc.sessions() as session:
            stmt = (
                select(HistoryEntry)
                .where(col(HistoryEntry.document_id) == version.document_id)
                .order_by(col(HistoryEntry.id))
            )
            return list((await session.execute(stmt)).scalars())

    async def requests(self) -> list[QbdRequest]:
        async with self.svc.sessions() as session:
            stmt = select(QbdRequest).order_by(col(QbdRequest.id))
            return list((await session.execute(stmt)).scalars())


async def make_harness(
    db_url: str, tmp_path: Path, clock: FrozenClock, **overrides: object
) -> tuple[QbdHarness, list[httpx.AsyncClient]]:
    world = build_world(clock)
    company = seed_demo(clock)
    base = Settings(_env_file=None, data_dir=str(tmp_path))
    # Change orders post as purchase orders of their own, as in tests/e2e: the commitments
    # of the demo world hold no schedule of values (test_commitments.py amends).
    update = {"database_url": db_url, "commitment_change_orders": "separate", **overrides}
    settings = qbd_settings(base, world).model_copy(update=update)
    svc = build_service(
        settings,
        clock=clock,
        procore_transport=SandboxTransport(procore_app(world.procore)),
        qbo_transport=SandboxTransport(qbo_app(world.qbo)),
        sleep=FakeSleep(clock),
    )
    await seed_costbridge_qbd(svc, company)
    await link_world(svc, world, company)
    web = create_app(svc)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url=SERVICE_BASE)
    world.procore.webhook_http = http
    # Change orders only, as in tests/e2e; test_commitments.py subscribes commitments itself.
    register_hook(world, f"{SERVICE_BASE}/webhooks/procore", CHANGE_ORDER_RESOURCES)
    connector = await web_connector(svc, http, company)
    return QbdHarness(world, company, svc, web, http, clock, connector), [http]


@pytest.fixture
async def qbd(db_url: str, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[QbdHarness]:
    harness, clients = await make_harness(db_url, tmp_path, clock)
    try:
        yield harness
    finally:
        for client in clients:
            await client.aclose()
        await harness.svc.aclose()
    if qbxml_schema() is not None:
        assert not harness.company.rejected, "a request failed qbxmlops130.xsd"


@pytest.fixture
async def posted_world(qbd: QbdHarness) -> QbdHarness:
    """Lists read, the twenty change orders mapped and queued (not yet sent)."""
    first = await qbd.poll()
    assert first.progress[-1] == 100
    add_change_orders(qbd.world)
    await qbd.deliver_and_drain()
    return qbd
