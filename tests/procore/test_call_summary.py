"""Call counts and added latency for benchmarks: ``/_sandbox/calls/summary``,
``DELETE /_sandbox/calls``, ``/_sandbox/latency`` and ``sandbox procore --latency-ms``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from starlette.applications import Starlette
from starlette.routing import Mount
from typer.testing import CliRunner

from sandbox.procore import ProcoreState, create_app
from sandbox.procore.instruments import instruments_of
from tests.procore.conftest import API, CLIENT_ID, CLIENT_SECRET, COMPANY_ID, World

PROJECT = "GET /rest/v1.0/projects/{project_id}"


async def bearer(http: httpx.AsyncClient, prefix: str = "") -> dict[str, str]:
    answer = await http.post(
        f"{prefix}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    return {"Authorization": f"Bearer {token}", "Procore-Company-Id": str(COMPANY_ID)}


async def summary(http: httpx.AsyncClient) -> dict[str, Any]:
    answer = await http.get("/_sandbox/calls/summary")
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


async def test_summary_counts_api_calls_by_method_route_and_status(
    http: httpx.AsyncClient, world: World
) -> None:
    assert await summary(http) == {"total": 0, "by_status": {}, "by_call": {}}
    headers = await bearer(http)
    wrong = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": "x"}
    assert (await http.post("/oauth/token", data=wrong)).status_code == 401
    project = f"/rest/v1.0/projects/{world.project.id}"
    assert (await http.get(project, headers=headers)).status_code == 200
    assert (await http.get(project, headers=headers)).status_code == 200
    assert (await http.get("/rest/v1.0/projects/999999", headers=headers)).status_code == 404
    assert (await http.get(f"/rest/v1.0/vendors/{world.vendor.id}", headers=headers)).is_success
    assert (await http.get("/oauth/token/info", headers=headers)).status_code == 200
    await http.put("/_sandbox/faults", json={"force_429": 1})
    assert (await http.get(project, headers=headers)).status_code == 429  # forced
    world.state.limiter.configure(spike_limit=1)
    assert (await http.get(project, headers=headers)).status_code == 200
    assert (await http.get(project, headers=headers)).status_code == 429  # the spike window
    world.state.limiter.configure(spike_limit=100)
    await http.put("/_sandbox/faults", json={"force_503": 1})
    assert (await http.get(project, headers=headers)).status_code == 503
    assert (await http.get("/rest/v1.0/nowhere", headers=headers)).status_code == 404
    await http.get("/_sandbox/webhooks/deliveries")  # the admin API is not counted

    assert await summary(http) == {
        "total": 12,
        "by_status": {"200": 6, "401": 1, "404": 2, "429": 2, "503": 1},
        "by_call": {
            "GET /oauth/token/info": {"count": 1, "by_status": {"200": 1}},
            PROJECT: {"count": 7, "by_status": {"200": 3, "404": 1, "429": 2, "503": 1}},
            "GET /rest/v1.0/nowhere": {"count": 1, "by_status": {"404": 1}},
            "GET /rest/v1.0/vendors/{vendor_id}": {"count": 1, "by_status": {"200": 1}},
            "POST /oauth/token": {"count": 2, "by_status": {"200": 1, "401": 1}},
        },
    }


async def test_delete_resets_the_counts(http: httpx.AsyncClient, world: World) -> None:
    headers = await bearer(http)
    for _ in range(3):
        await http.get(f"/rest/v1.0/projects/{world.project.id}", headers=headers)
    deleted = await http.delete("/_sandbox/calls")
    assert deleted.json() == {"deleted": 4}
    assert (await summary(http))["total"] == 0
    await http.get(f"/rest/v1.0/projects/{world.project.id}", headers=headers)
    assert (await summary(http))["by_call"] == {PROJECT: {"count": 1, "by_status": {"200": 1}}}


async def test_thousands_of_calls_are_kept_as_a_few_counters(
    http: httpx.AsyncClient, world: World
) -> None:
    world.state.limiter.configure(hourly_limit=10**6, spike_limit=10**6)
    headers = await bearer(http)
    for project_id in range(1, 1001):  # a different id each time, all one route
        await http.get(f"/rest/v1.0/projects/{project_id}", headers=headers)
    counted = await summary(http)
    assert counted["total"] == 1001
    assert counted["by_call"][PROJECT]["count"] == 1000
    assert len(instruments_of(world.state).counts) <= 3  # token, and one or two statuses


async def test_calls_through_a_mount_count_under_the_apps_own_routes(world: World) -> None:
    # the demo serves the emulator under /sandbox/procore
    outer = Starlette(routes=[Mount("/sandbox/procore", create_app(world.state))])
    transport = httpx.ASGITransport(app=outer)
    async with httpx.AsyncClient(transport=transport, base_url=API) as http:
        headers = await bearer(http, "/sandbox/procore")
        answer = await http.get(
            f"/sandbox/procore/rest/v1.0/projects/{world.project.id}", headers=headers
        )
        assert answer.status_code == 200
        counted = (await http.get("/sandbox/procore/_sandbox/calls/summary")).json()
    assert counted["by_call"] == {
        "POST /oauth/token": {"count": 1, "by_status": {"200": 1}},
        PROJECT: {"count": 1, "by_status": {"200": 1}},
    }


async def test_latency_delays_api_answers_but_not_the_admin_api(
    http: httpx.AsyncClient, world: World
) -> None:
    assert (await http.get("/_sandbox/latency")).json() == {"latency_ms": 0.0}
    for wrong in (-1, "20", True, None):
        refused = await http.put("/_sandbox/latency", json={"latency_ms": wrong})
        assert refused.status_code == 422
    answer = await http.put("/_sandbox/latency", json={"latency_ms": 200})
    assert answer.json() == {"latency_ms": 200.0}

    started = time.perf_counter()
    headers = await bearer(http)
    assert time.perf_counter() - started >= 0.19  # 200 ms, give or take the timer
    started = time.perf_counter()
    assert (await http.get(f"/rest/v1.0/projects/{world.project.id}", headers=headers)).is_success
    assert time.perf_counter() - started >= 0.19  # 200 ms, give or take the timer
    started = time.perf_counter()
    await http.get("/_sandbox/calls/summary")
    assert time.perf_counter() - started < 0.19


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[ProcoreState]]:
    """Run ``costbridge sandbox procore``, keeping the state it would serve instead of serving."""
    from sync.settings import get_settings

    states: list[ProcoreState] = []
    monkeypatch.setattr(
        "sandbox.procore.standalone.serve", lambda state, **kwargs: states.append(state)
    )
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    logging_config = structlog.get_config()
    get_settings.cache_clear()
    try:
        yield states
    finally:
        # the command configured logging for the runner's stream, which is closed by now
        structlog.configure(**logging_config)
        get_settings.cache_clear()


@pytest.mark.parametrize(("args", "latency"), [([], 0.0), (["--latency-ms", "40"], 40.0)])
def test_the_command_sets_the_latency(
    served: list[ProcoreState], args: list[str], latency: float
) -> None:
    from sync.cli.main import app

    result = CliRunner().invoke(app, ["sandbox", "procore", *args])
    assert result.exit_code == 0, result.output
    (state,) = served
    assert instruments_of(state).latency_ms == latency
    assert ("delayed 40 ms" in result.output) is bool(latency)
