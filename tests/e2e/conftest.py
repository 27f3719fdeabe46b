"""The real service wired to both sandboxes in-process: what the end-to-end tests drive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from sandbox.demo.company import CHANGE_ORDER_RESOURCES, DemoWorld, build_world, register_hook
from sandbox.demo.setup import SERVICE_BASE, demo_settings, seed_costbridge
from sandbox.procore import create_app as procore_app
from sandbox.qbo import create_app as qbo_app
from sandbox.transport import SandboxTransport
from sync.clock import FrozenClock
from sync.engine.worker import run_until_idle
from sync.service import Service, build_service
from sync.settings import Settings
from sync.web import create_app


@dataclass
class FakeSleep:
    """Records every backoff and moves the frozen clock instead of waiting."""

    clock: FrozenClock
    calls: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.clock.advance(seconds)


@dataclass
class Harness:
    world: DemoWorld
    svc: Service
    web: FastAPI
    http: httpx.AsyncClient  # talks to costbridge's own HTTP surface
    clock: FrozenClock
    sleep: FakeSleep

    async def deliver(self) -> list[Any]:
        """Procore sends what it has queued; returns the deliveries."""
        return await self.world.procore.dispatch_pending()

    async def drain(self) -> int:
        return await run_until_idle(self.svc)

    def qbo_rows(self, entity: str) -> list[dict[str, Any]]:
        return self.world.qbo.realm(self.world.qbo_company.realm_id).rows(entity)


@pytest.fixture
async def harness(db_url: str, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[Harness]:
    world = build_world(clock)
    base = Settings(_env_file=None, data_dir=str(tmp_path))
    # These scenarios follow one change order on its own (a purchase order of its own);
    # amending the commitment's purchase order (the default) is test_commitments.py's subject.
    settings = demo_settings(base, world).model_copy(
        update={
            "database_url": db_url,
            "retry_base_seconds": 30.0,
            "commitment_change_orders": "separate",
        }
    )
    sleep = FakeSleep(clock)
    svc = build_service(
        settings,
        clock=clock,
        procore_transport=SandboxTransport(procore_app(world.procore)),
        qbo_transport=SandboxTransport(qbo_app(world.qbo)),
        sleep=sleep,
    )
    await seed_costbridge(svc, world)
    web = create_app(svc)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url=SERVICE_BASE)
    world.procore.webhook_http = http
    # Change orders only: commitments' own events are test_commitments.py's (commitments()).
    register_hook(world, f"{SERVICE_BASE}/webhooks/procore", CHANGE_ORDER_RESOURCES)
    try:
        yield Harness(world, svc, web, http, clock, sleep)
    finally:
        await http.aclose()
        await svc.aclose()
