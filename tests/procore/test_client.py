"""ProcoreClient against the emulator: tokens, paging, headers, quotas and errors."""

from __future__ import annotations

import httpx
import pytest
from structlog.testing import capture_logs

from sandbox.procore import create_app
from sync.errors import AuthError, FatalError, NotFoundError, RetryableError, SystemAwayError
from tests.procore.conftest import CLIENT_SECRET, COMPANY_ID, World, make_client, make_http

PROJECTS = "/rest/v1.0/projects"


def token_requests(world: World) -> int:
    return sum(1 for r in world.requests if r.url.path == "/oauth/token")


async def test_token_is_fetched_once_and_reused(world, client):
    await client.get(PROJECTS, {"company_id": COMPANY_ID})
    await client.get(f"{PROJECTS}/{world.project.id}")
    assert token_requests(world) == 1
    token_request = next(r for r in world.requests if r.url.path == "/oauth/token")
    assert b"grant_type=client_credentials" in token_request.content


async def test_token_is_refetched_shortly_before_expiry(world, client):
    await client.get(PROJECTS, {"company_id": COMPANY_ID})
    world.clock.advance(5000)  # 400 s left of 5400: still fresh
    await client.get(PROJECTS, {"company_id": COMPANY_ID})
    assert token_requests(world) == 1
    world.clock.advance(350)  # 50 s left: inside the refresh margin
    await client.get(PROJECTS, {"company_id": COMPANY_ID})
    assert token_requests(world) == 2


async def test_revoked_token_is_refetched_once_on_401(world, client):
    await client.get(PROJECTS, {"company_id": COMPANY_ID})
    world.state.tokens.clear()  # Procore forgot our token
    projects = await client.get(PROJECTS, {"company_id": COMPANY_ID})
    assert [p["name"] for p in projects] == ["1021 Main St"]
    assert token_requests(world) == 2
    assert world.statuses.count(401) == 1


async def test_persistent_401_is_an_auth_error(world):
    app = create_app(world.state)

    # Procore answering 401 to every token: drop the header in front of the emulator.
    async def strip_authorization(scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/rest/"):
            headers = [(k, v) for k, v in scope["headers"] if k != b"authorization"]
            scope = {**scope, "headers": headers}
        await app(scope, receive, send)

    async with make_http(world, strip_authorization) as http:
        client = make_client(world, http)
        with pytest.raises(AuthError) as caught:
            await client.get(PROJECTS, {"company_id": COMPANY_ID})
    assert caught.value.code == "401"
    assert token_requests(world) == 2  # the first and the one refresh, no more


async def test_wrong_client_secret_is_an_auth_error_without_the_secret(world, http):
    client = make_client(world, http, client_secret="not-the-secret")
    with pytest.raises(AuthError) as caught:
        await client.get(PROJECTS, {"company_id": COMPANY_ID})
    assert "not-the-secret" not in str(caught.value)
    assert caught.value.code == "401"


async def test_get_all_follows_link_next_across_three_pages(world, client):
    for n in range(25):
        world.state.add_vendor(COMPANY_ID, f"Vendor {n:02d}")
    vendors = await client.get_all("/rest/v1.0/vendors", {"company_id": COMPANY_ID}, per_page=10)
    assert len(vendors) == 26  # the fixture's vendor + 25
    assert len({v["id"] for v in vendors}) == 26
    pages = [r.url.params.get("page") for r in world.requests if r.url.path == "/rest/v1.0/vendors"]
    assert pages == [None, "2", "3"]


async def test_v1_list_headers(world, http, client):
    for n in range(3):
        world.state.add_vendor(COMPANY_ID, f"Vendor {n}")
    await client.get(PROJECTS, {"company_id": COMPANY_ID})  # obtains a token
    token = next(iter(world.state.tokens))
    headers = {"Authorization": f"Bearer {token}", "Procore-Company-Id": str(COMPANY_ID)}
    response = await http.get(
        "/rest/v1.0/vendors", params={"per_page": 2, "page": 2}, headers=headers
    )
    assert response.headers["Total"] == "4"
    assert response.headers["Per-Page"] == "2"
    assert 'rel="prev"' in response.headers["Link"]
    assert 'rel="next"' not in response.headers["Link"]  # page 2 of 2 is the last
    assert isinstance(response.json(), list)


async def test_missing_company_header_is_refused_with_procores_text(world, http, client):
    await client.get(PROJECTS, {"company_id": COMPANY_ID})
    token = next(iter(world.state.tokens))
    response = await http.get(
        PROJECTS, params={"company_id": COMPANY_ID}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400
    assert "Missing Procore-Company-Id header!" in response.text
    no_company = make_client(world, http, company_id="")
    with pytest.raises(FatalError) as caught:
        await no_company.get(PROJECTS, {"company_id": COMPANY_ID})
    assert caught.value.detail == "Missing Procore-Company-Id header!"


async def test_rate_limit_headers_on_4xx(http):
    unauthenticated = await http.get(PROJECTS, params={"company_id": COMPANY_ID})
    assert unauthenticated.status_code == 401
    for name in ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"):
        assert unauthenticated.headers[name].isdigit()
    again = await http.get(PROJECTS, params={"company_id": COMPANY_ID})
    assert (
        int(again.headers["X-Rate-Limit-Remaining"])
        == int(unauthenticated.headers["X-Rate-Limit-Remaining"]) - 1
    )


async def test_429_sleeps_until_reset_then_succeeds(world, client):
    world.state.faults.force_429 = 2
    projects = await client.get(PROJECTS, {"company_id": COMPANY_ID})
    assert [p["id"] for p in projects] == [world.project.id]
    # until X-Rate-Limit-Reset of the 10-second window, and its second (whole seconds)
    assert world.sleeps == [11.0, 11.0]
    assert world.statuses.count(429) == 2


async def test_429_forever_is_a_wait_for_procore_after_max_retries(world, http):
    world.state.faults.force_429 = 100
    client = make_client(world, http, max_retries=3)
    with pytest.raises(SystemAwayError) as caught:  # rate-limited: no attempt is spent
        await client.get(PROJECTS, {"company_id": COMPANY_ID})
    assert caught.value.code == "429"
    assert caught.value.system == "procore"
    assert len(world.sleeps) == 3
    assert world.statuses.count(429) == 4


async def test_503_honours_retry_after(world, client):
    world.state.faults.force_503, world.state.faults.retry_after = 1, 7
    await client.get(PROJECTS, {"company_id": COMPANY_ID})
    assert world.sleeps == [7.0]


async def test_exhausted_window_waits_before_the_next_call(world, client):
    world.state.limiter.configure(spike_limit=2)
    for _ in range(3):
        await client.get(PROJECTS, {"company_id": COMPANY_ID})
    assert 429 not in world.statuses  # we waited instead of being refused
    assert world.sleeps == [11.0]


async def test_not_found_and_forbidden_map_to_the_taxonomy(world, client, http):
    with pytest.raises(NotFoundError):
        await client.get(f"{PROJECTS}/999999")
    world.state.clients["costbridge-test"].company_ids.clear()  # app uninstalled
    with pytest.raises(AuthError) as caught:
        await client.get(PROJECTS, {"company_id": COMPANY_ID})
    assert caught.value.code == "403"
    assert "not connected" in caught.value.detail


async def test_transport_failure_is_retryable(world):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        client = make_client(world, http)
        with pytest.raises(RetryableError) as caught:
            await client.get(PROJECTS)
    assert caught.value.code == "network"


async def test_one_log_event_per_call_and_no_secrets(world, client):
    with capture_logs() as logs:
        await client.get(PROJECTS, {"company_id": COMPANY_ID})
    calls = [entry for entry in logs if entry["event"] == "procore.call"]
    assert calls == [
        {
            "event": "procore.call",
            "log_level": "info",
            "method": "GET",
            "path": PROJECTS,
            "status": 200,
            "rate_limit_remaining": "99",
            "duration_ms": calls[0]["duration_ms"],
        }
    ]
    token = next(iter(world.state.tokens))
    assert token not in repr(logs)
    assert CLIENT_SECRET not in repr(logs)


async def test_an_hourly_window_used_up_is_a_wait_without_another_call(world, client):
    world.state.limiter.configure(hourly_limit=3, spike_limit=1000)
    for _ in range(3):
        await client.get(PROJECTS, {"company_id": COMPANY_ID})
    sent = len(world.requests)
    for _ in range(2):  # every document asking meanwhile waits too, and sends nothing
        with pytest.raises(SystemAwayError) as caught:
            await client.get(PROJECTS, {"company_id": COMPANY_ID})
        assert caught.value.code == "429"
        assert 3000 < (caught.value.retry_after or 0) <= 3601  # until the hourly reset
    assert len(world.requests) == sent and 429 not in world.statuses
    assert world.sleeps == []  # not slept through: the worker parks the document
    world.clock.advance(3601)
    assert [p["id"] for p in await client.get(PROJECTS, {"company_id": COMPANY_ID})] == [
        world.project.id
    ]


async def test_a_429_with_an_hour_to_wait_is_a_wait_at_once(world, http):
    world.state.limiter.configure(hourly_limit=1, spike_limit=1000)
    client = make_client(world, http)
    await client.get(PROJECTS, {"company_id": COMPANY_ID})
    other = make_client(world, http)  # another process: it has not seen the quota run out
    with pytest.raises(SystemAwayError) as caught:
        await other.get(PROJECTS, {"company_id": COMPANY_ID})
    assert world.statuses.count(429) == 1 and world.sleeps == []  # one refusal, no retries
    assert 3000 < (caught.value.retry_after or 0) <= 3601
