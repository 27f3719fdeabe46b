"""QBO's real limits in the emulator (research §7): off by default, switched on per test.

500 requests/minute per realm, 10/s and 10 in flight per realm+app, batches 40/minute per
realm+app and 120 per realm; every refusal a 429 with Fault 3001, counted in the call log.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from fastapi import FastAPI
from typer.testing import CliRunner

from sandbox.qbo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, TOKEN_PATH, QboState, SeededCompany
from sandbox.qbo.limits import Caller, LimitConfig, LimitSettings, Throttle
from sync.clock import FrozenClock

THROTTLE_FAULT = {
    "Error": [
        {
            "Message": "message=ThrottleExceeded; errorCode=003001; statusCode=429",
            "Detail": "The request limit was reached.  Try again later",
            "code": "3001",
            "element": "",
        }
    ],
    "type": "SERVICE",
}
REAL_LIMITS = {
    "enabled": False,
    "requests_per_minute": 500,
    "requests_per_second": 10,
    "concurrent": 10,
    "batch_per_minute_app": 40,
    "batch_per_minute_realm": 120,
}


class Company:
    """Raw calls to one realm as one app, so every status and body is seen as sent."""

    def __init__(self, http: httpx.AsyncClient, realm_id: str, token: str) -> None:
        self.http = http
        self.realm_id = realm_id
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    async def preferences(self) -> httpx.Response:
        return await self.http.get(f"/v3/company/{self.realm_id}/preferences", headers=self.headers)

    async def batch(self, *items: dict[str, Any]) -> httpx.Response:
        items = items or ({"bId": "q1", "Query": "SELECT * FROM Department"},)
        return await self.http.post(
            f"/v3/company/{self.realm_id}/batch",
            json={"BatchItemRequest": list(items)},
            headers=self.headers,
        )


async def connect(
    http: httpx.AsyncClient,
    state: QboState,
    realm_id: str,
    client_id: str = DEMO_CLIENT_ID,
    secret: str = DEMO_CLIENT_SECRET,
) -> Company:
    """An app authorised on a realm, holding an access token (the token call is not metered)."""
    state.register_app(client_id, secret)
    refresh = state.issue_refresh_token(client_id, realm_id)
    answer = await http.post(
        TOKEN_PATH,
        auth=(client_id, secret),
        data={"grant_type": "refresh_token", "refresh_token": refresh},
    )
    assert answer.status_code == 200, answer.text
    return Company(http, realm_id, answer.json()["access_token"])


@pytest.fixture
async def acme(http: httpx.AsyncClient, state: QboState, company: SeededCompany) -> Company:
    return await connect(http, state, company.realm_id)


async def switch_on(http: httpx.AsyncClient, **settings: int | None) -> dict[str, Any]:
    answer = await http.put("/_sandbox/limits", json={"enabled": True, **settings})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def assert_throttled(answer: httpx.Response) -> None:
    assert answer.status_code == 429
    assert answer.json()["Fault"] == THROTTLE_FAULT
    assert "Retry-After" not in answer.headers  # QBO documents none: clients wait 60 s


# --- off by default ----------------------------------------------------------------------------


async def test_limits_are_off_by_default(
    http: httpx.AsyncClient, state: QboState, acme: Company
) -> None:
    assert (await http.get("/_sandbox/limits")).json() == REAL_LIMITS
    statuses = [(await acme.preferences()).status_code for _ in range(520)]
    statuses += [(await acme.batch()).status_code for _ in range(45)]
    state.latency_ms = 50  # twelve at once, each held in flight for 50 ms
    together = await asyncio.gather(*(acme.preferences() for _ in range(12)))
    statuses += [answer.status_code for answer in together]
    assert statuses == [200] * 577
    assert [c.status for c in state.calls] == [200] * 577


# --- per realm per minute ----------------------------------------------------------------------


async def test_the_501st_call_in_a_minute_is_refused_until_the_first_is_a_minute_old(
    http: httpx.AsyncClient, state: QboState, clock: FrozenClock, acme: Company
) -> None:
    await switch_on(http)
    for _ in range(500):  # ten a second: under the per-second limit, 50 s in all
        assert (await acme.preferences()).status_code == 200
        clock.advance(0.1)

    assert_throttled(await acme.preferences())  # t = 50 s: the 501st
    assert state.calls[-1].status == 429
    assert state.calls[-1].throttled_by == "requests_per_minute"

    clock.advance(9.9)  # t = 59.9 s: the first call is still inside the minute
    assert_throttled(await acme.preferences())
    clock.advance(0.1)  # t = 60 s: the first call has left it, one place is free
    assert (await acme.preferences()).status_code == 200
    assert_throttled(await acme.preferences())  # and taken
    clock.advance(0.1)  # the second call leaves
    assert (await acme.preferences()).status_code == 200
    assert [c.status for c in state.calls].count(429) == 3


async def test_the_minute_is_counted_per_realm(
    http: httpx.AsyncClient, state: QboState, clock: FrozenClock, acme: Company
) -> None:
    await switch_on(http, requests_per_minute=5, requests_per_second=None)
    other = await connect(http, state, "4620816365000000000")
    assert [(await acme.preferences()).status_code for _ in range(6)] == [200] * 5 + [429]
    assert (await other.preferences()).status_code == 200  # another company has its own
    clock.advance(60)
    assert (await acme.preferences()).status_code == 200


# --- per realm+app per second, and in flight ---------------------------------------------------


async def test_eleven_calls_in_one_second_the_eleventh_is_refused(
    http: httpx.AsyncClient, state: QboState, clock: FrozenClock, acme: Company
) -> None:
    await switch_on(http)
    statuses = [(await acme.preferences()).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    assert state.calls[-1].throttled_by == "requests_per_second"
    clock.advance(1)
    assert (await acme.preferences()).status_code == 200


async def test_the_second_is_counted_per_app(
    http: httpx.AsyncClient, state: QboState, acme: Company
) -> None:
    await switch_on(http)
    other_app = await connect(http, state, acme.realm_id, "other-app", "other-secret")
    assert [(await acme.preferences()).status_code for _ in range(10)] == [200] * 10
    assert (await other_app.preferences()).status_code == 200
    assert (await acme.preferences()).status_code == 429


async def test_eleven_requests_in_flight_at_once_the_eleventh_is_refused(
    http: httpx.AsyncClient, state: QboState, acme: Company
) -> None:
    # only the in-flight cap: the per-second one would refuse the eleventh as well
    await switch_on(http, requests_per_second=None)
    await http.put("/_sandbox/latency", json={"latency_ms": 300})
    started = time.perf_counter()
    answers = await asyncio.gather(*(acme.preferences() for _ in range(11)))
    elapsed = time.perf_counter() - started

    assert elapsed < 0.3 * 5  # side by side: one after another would take 11 x 0.3 s
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 10 + [429]
    refused = next(a for a in answers if a.status_code == 429)
    assert_throttled(refused)
    assert [c.throttled_by for c in state.calls if c.status == 429] == ["concurrent"]
    assert state.throttle.in_flight(Caller(acme.realm_id, DEMO_CLIENT_ID)) == 0
    assert (await acme.preferences()).status_code == 200  # the slots came back


# --- batches -----------------------------------------------------------------------------------


async def test_batches_are_limited_to_40_a_minute_per_app_and_120_per_realm(
    http: httpx.AsyncClient, state: QboState, clock: FrozenClock, acme: Company
) -> None:
    await switch_on(http, requests_per_second=None)
    apps = [acme] + [
        await connect(http, state, acme.realm_id, f"app-{n}", f"secret-{n}") for n in (2, 3, 4)
    ]
    assert [(await acme.batch()).status_code for _ in range(41)] == [200] * 40 + [429]
    assert state.calls[-1].throttled_by == "batch_per_minute_app"
    assert (await acme.preferences()).status_code == 200  # single calls still go through

    for app in apps[1:3]:
        assert [(await app.batch()).status_code for _ in range(40)] == [200] * 40
    assert_throttled(await apps[3].batch())  # a fresh app, but the realm has had its 120
    assert state.calls[-1].throttled_by == "batch_per_minute_realm"

    clock.advance(60)
    assert (await apps[3].batch()).status_code == 200
    assert (await acme.batch()).status_code == 200


async def test_a_batch_is_also_one_request_of_the_realms_500(
    http: httpx.AsyncClient, state: QboState, acme: Company
) -> None:
    await switch_on(http, requests_per_minute=3, requests_per_second=None)
    assert (await acme.batch()).status_code == 200
    assert [(await acme.preferences()).status_code for _ in range(3)] == [200, 200, 429]


# --- the admin API -----------------------------------------------------------------------------


async def test_put_limits_changes_only_what_it_names_and_null_lifts_a_limit(
    http: httpx.AsyncClient, acme: Company
) -> None:
    changed = await switch_on(http, requests_per_minute=2, concurrent=None)
    assert changed == {**REAL_LIMITS, "enabled": True, "requests_per_minute": 2, "concurrent": None}
    assert (await http.get("/_sandbox/limits")).json() == changed
    assert (await http.put("/_sandbox/limits", json={"requests_per_minute": 0})).status_code == 422
    assert [(await acme.preferences()).status_code for _ in range(3)] == [200, 200, 429]

    lifted = await http.put("/_sandbox/limits", json={"requests_per_minute": None})
    assert lifted.json()["requests_per_minute"] is None
    assert [(await acme.preferences()).status_code for _ in range(3)] == [200] * 3
    off = await http.put("/_sandbox/limits", json={"enabled": False, "requests_per_second": 1})
    assert off.json()["enabled"] is False
    assert [(await acme.preferences()).status_code for _ in range(3)] == [200] * 3


async def test_switching_limits_on_forgets_earlier_calls(
    http: httpx.AsyncClient, acme: Company
) -> None:
    await switch_on(http, requests_per_second=2)
    assert [(await acme.preferences()).status_code for _ in range(3)] == [200, 200, 429]
    await switch_on(http)  # the same second, but fresh windows
    assert [(await acme.preferences()).status_code for _ in range(3)] == [200, 200, 429]


async def test_forced_429s_are_logged_as_forced(
    http: httpx.AsyncClient, state: QboState, acme: Company
) -> None:
    state.faults.throttle_next = 1
    assert_throttled(await acme.preferences())
    assert state.calls[-1].throttled_by == "forced"


async def test_latency_delays_every_api_answer_but_not_the_admin_api(
    http: httpx.AsyncClient, state: QboState, acme: Company
) -> None:
    assert (await http.get("/_sandbox/latency")).json() == {"latency_ms": 0.0}
    answer = await http.put("/_sandbox/latency", json={"latency_ms": 200})
    assert answer.json() == {"latency_ms": 200.0}
    assert state.latency_ms == 200
    assert (await http.put("/_sandbox/latency", json={"latency_ms": -1})).status_code == 422

    started = time.perf_counter()
    assert (await acme.preferences()).status_code == 200
    assert time.perf_counter() - started >= 0.19  # 200 ms, give or take the timer
    started = time.perf_counter()
    await http.get("/_sandbox/limits")
    assert time.perf_counter() - started < 0.19


# --- the limiter itself, on an injected clock --------------------------------------------------

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
APP = Caller("realm-1", "app-1")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def throttle(**settings: int | None) -> Throttle:
    limits = Throttle(LimitConfig(enabled=True))
    limits.configure(LimitSettings.model_validate(settings))
    return limits


def test_settings_and_config_name_the_same_fields() -> None:
    assert set(LimitSettings.model_fields) == set(REAL_LIMITS) == set(vars(LimitConfig()))


def test_a_refused_call_takes_no_place_and_holds_no_slot() -> None:
    limits = throttle(requests_per_minute=2, requests_per_second=None, concurrent=None)
    first, second = (limits.admit(APP, at(0), batch=False) for _ in range(2))
    refused = limits.admit(APP, at(30), batch=False)
    assert (first.refused_by, second.refused_by) == (None, None)
    assert refused.refused_by == "requests_per_minute" and refused.slot is None
    assert limits.in_flight(APP) == 2
    # at 60 s both admitted calls are a minute old; the refusal at 30 s counted for nothing
    assert limits.admit(APP, at(60), batch=False).refused_by is None
    assert limits.admit(APP, at(60), batch=False).refused_by is None
    assert limits.admit(APP, at(60), batch=False).refused_by == "requests_per_minute"


def test_in_flight_slots_are_given_back() -> None:
    limits = throttle(concurrent=2, requests_per_second=None)
    held = [limits.admit(APP, at(0), batch=False) for _ in range(2)]
    assert limits.admit(APP, at(0), batch=False).refused_by == "concurrent"
    limits.release(held[0])
    assert limits.in_flight(APP) == 1
    again = limits.admit(APP, at(0), batch=False)
    assert again.refused_by is None and limits.in_flight(APP) == 2
    for admission in (held[1], again):
        limits.release(admission)
    assert limits.in_flight(APP) == 0


def test_switched_off_it_counts_nothing() -> None:
    limits = Throttle()
    admissions = [limits.admit(APP, at(0), batch=True) for _ in range(1000)]
    assert all(a.refused_by is None and a.slot is None for a in admissions)
    assert limits.in_flight(APP) == 0


# --- the command line --------------------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[FastAPI]]:
    """Run ``costbridge sandbox qbo``, keeping the app it would serve instead of serving it."""
    from sync.settings import get_settings

    apps: list[FastAPI] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: apps.append(app))
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    logging_config = structlog.get_config()
    get_settings.cache_clear()
    try:
        yield apps
    finally:
        # the command configured logging for the runner's stream, which is closed by now
        structlog.configure(**logging_config)
        get_settings.cache_clear()


@pytest.mark.parametrize(
    ("args", "enabled", "latency"),
    [([], False, 0.0), (["--real-limits", "--latency-ms", "25"], True, 25.0)],
)
def test_the_command_switches_the_real_limits_and_latency_on(
    served: list[FastAPI], args: list[str], enabled: bool, latency: float
) -> None:
    from sync.cli.main import app

    result = CliRunner().invoke(app, ["sandbox", "qbo", *args])
    assert result.exit_code == 0, result.output
    (served_app,) = served
    state: QboState = served_app.state.qbo
    assert state.throttle.config == LimitConfig(enabled=enabled)
    assert state.latency_ms == latency
    assert ("limits are on" in result.output) is enabled
