"""OAuth against the emulator: rotation, persistence before use, expiry, the 401 shape."""

from __future__ import annotations

import httpx
import pytest
import structlog.testing

from sandbox.qbo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, TOKEN_PATH, QboState, SeededCompany
from sync.clock import FrozenClock
from sync.errors import AuthError
from sync.targets.qbo import MemoryTokenStore, QboClient, TokenSet

from .conftest import make_client


class OrderedStore(MemoryTokenStore):
    """Writes into a shared timeline so the test can see what happened before what."""

    def __init__(self, timeline: list[str]) -> None:
        super().__init__()
        self.timeline = timeline

    async def save(self, tokens: TokenSet) -> None:
        self.timeline.append(f"save {tokens.access_token}")
        await super().save(tokens)


async def _refresh(http: httpx.AsyncClient, token: str) -> httpx.Response:
    return await http.post(
        TOKEN_PATH,
        auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
        data={"grant_type": "refresh_token", "refresh_token": token},
    )


async def test_rotation_saves_before_use_and_old_token_is_dead(
    http: httpx.AsyncClient, company: SeededCompany, clock: FrozenClock
) -> None:
    timeline: list[str] = []

    async def on_request(request: httpx.Request) -> None:
        timeline.append(f"{request.url.path} {request.headers.get('authorization', '')}")

    http.event_hooks["request"] = [on_request]
    store = OrderedStore(timeline)
    client = make_client(http, company, store, clock, [])
    await client.preferences()

    assert store.tokens is not None
    first = store.tokens
    assert first.refresh_token != company.refresh_token
    assert timeline[0].startswith(TOKEN_PATH)
    assert timeline[1] == f"save {first.access_token}"
    assert timeline[2].endswith(f"Bearer {first.access_token}")

    # the refresh token the client started with is spent
    assert company.refresh_token is not None
    stale = await _refresh(http, company.refresh_token)
    assert stale.status_code == 400
    assert stale.json()["error"] == "invalid_grant"

    # an hour later: the client refreshes (rotating again) before its next call
    clock.advance(3600)
    await client.preferences()
    assert len(store.saved) == 2
    second = store.saved[1]
    assert second.refresh_token not in (first.refresh_token, company.refresh_token)
    assert timeline[-2] == f"save {second.access_token}"
    assert timeline[-1].endswith(f"Bearer {second.access_token}")
    assert (await _refresh(http, first.refresh_token)).json()["error"] == "invalid_grant"


async def test_expired_access_token_gets_lowercase_401(
    http: httpx.AsyncClient, company: SeededCompany, clock: FrozenClock
) -> None:
    assert company.refresh_token is not None
    access = (await _refresh(http, company.refresh_token)).json()["access_token"]
    url = f"/v3/company/{company.realm_id}/preferences"
    headers = {"Authorization": f"Bearer {access}", "Accept": "application/json"}
    assert (await http.get(url, headers=headers)).status_code == 200

    clock.advance(3600)
    response = await http.get(url, headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert "Fault" not in body
    error = body["fault"]["error"][0]
    assert error["code"] == "3200"
    assert error["message"] == "message=AuthenticationFailed; errorCode=003200; statusCode=401"
    assert error["detail"].startswith("Token expired")
    assert body["fault"]["type"] == "AUTHENTICATION"
    assert isinstance(body["time"], int)
    assert response.headers["intuit_tid"]


async def test_401_mid_flight_refreshes_once_and_retries_same_requestid(
    client: QboClient, state: QboState, store: MemoryTokenStore, company: SeededCompany
) -> None:
    await client.preferences()
    # the server forgets our access token (revoked elsewhere) while ours still looks fresh
    state.auth.access.clear()
    vendor = await client.write("Vendor", {"DisplayName": "Fresh Vendor"}, request_id="rv-1")
    assert vendor["DisplayName"] == "Fresh Vendor"
    assert len(store.saved) == 2
    posts = [(c.status, c.request_id) for c in state.calls if c.path.endswith("/vendor")]
    assert posts == [(401, "rv-1"), (200, "rv-1")]


async def test_invalid_grant_is_auth_error(
    http: httpx.AsyncClient, company: SeededCompany, clock: FrozenClock
) -> None:
    assert company.refresh_token is not None
    await _refresh(http, company.refresh_token)  # someone else used (rotated) it
    client = make_client(http, company, MemoryTokenStore(), clock, [])
    with pytest.raises(AuthError) as caught:
        await client.preferences()
    assert caught.value.code == "invalid_grant"


async def test_wrong_client_secret_is_refused(http: httpx.AsyncClient, state: QboState) -> None:
    response = await http.post(
        TOKEN_PATH,
        auth=(DEMO_CLIENT_ID, "wrong"),
        data={"grant_type": "refresh_token", "refresh_token": "x"},
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_one_log_event_per_call_with_tid_and_no_tokens(
    client: QboClient, store: MemoryTokenStore
) -> None:
    with structlog.testing.capture_logs() as logs:
        await client.preferences()
        await client.query("SELECT * FROM Class")
    calls = [e for e in logs if e["event"] == "qbo.call"]
    assert [(e["path"], e["status"]) for e in calls] == [("preferences", 200), ("query", 200)]
    assert all(e["intuit_tid"].startswith("1-") for e in calls)
    assert store.tokens is not None
    secrets = (store.tokens.access_token, store.tokens.refresh_token)
    assert not any(s in repr(logs) for s in secrets)
