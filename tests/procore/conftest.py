"""Fixtures: a seeded emulator in-process, our real client and source talking to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from sandbox.procore import ProcoreState, create_app
from sandbox.procore.demo import seed_reference_data
from sandbox.procore.records import Commitment, PrimeContract, Project, Vendor
from sync.clock import FrozenClock
from sync.sources.procore import ProcoreClient, ProcoreSource

COMPANY_ID = 5358233
CLIENT_ID = "costbridge-test"
CLIENT_SECRET = "s3cret-client-value"
HOOK_AUTH = "Bearer hook-shared-secret"
API = "http://procore.test"


@dataclass
class World:
    clock: FrozenClock
    state: ProcoreState
    project: Project
    vendor: Vendor
    commitment: Commitment
    prime: PrimeContract
    sleeps: list[float] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


@pytest.fixture
def world() -> World:
    clock = FrozenClock()
    state = ProcoreState(clock)
    state.add_company(COMPANY_ID, "Acme Builders")
    state.add_client(CLIENT_ID, CLIENT_SECRET, [COMPANY_ID])
    project = state.add_project(COMPANY_ID, "1021 Main St", project_number="1021")
    seed_reference_data(state, COMPANY_ID, project.id)
    vendor = state.add_vendor(COMPANY_ID, "Bright Spark Electric", origin_code="V-200")
    commitment = state.add_commitment(project.id, vendor.id, number="SC-001")
    prime = state.add_prime_contract(project.id)
    return World(clock, state, project, vendor, commitment, prime)


def make_http(world: World, app: object | None = None) -> httpx.AsyncClient:
    async def on_request(request: httpx.Request) -> None:
        world.requests.append(request)

    async def on_response(response: httpx.Response) -> None:
        world.statuses.append(response.status_code)

    transport = httpx.ASGITransport(app=app or create_app(world.state))  # type: ignore[arg-type]
    hooks: dict[str, list[Callable[..., Any]]] = {
        "request": [on_request],
        "response": [on_response],
    }
    return httpx.AsyncClient(transport=transport, base_url=API, event_hooks=hooks)


def make_client(world: World, http: httpx.AsyncClient, **overrides: object) -> ProcoreClient:
    async def fake_sleep(seconds: float) -> None:
        world.sleeps.append(seconds)
        world.clock.advance(seconds)

    options: dict[str, object] = {
        "api_base": API,
        "oauth_base": API,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "company_id": str(COMPANY_ID),
        "clock": world.clock,
        "sleep": fake_sleep,
        "jitter": lambda wait: 0.0,
        **overrides,
    }
    return ProcoreClient(http, **options)  # type: ignore[arg-type]


@pytest.fixture
async def http(world: World) -> AsyncIterator[httpx.AsyncClient]:
    async with make_http(world) as client:
        yield client


@pytest.fixture
def client(world: World, http: httpx.AsyncClient) -> ProcoreClient:
    return make_client(world, http)


@pytest.fixture
def source(client: ProcoreClient) -> ProcoreSource:
    return ProcoreSource(
        client,
        webhook_authorization=HOOK_AUTH,
        client_id=CLIENT_ID,
        app_base="https://app.procore.test",
    )
