"""The ``/_sandbox/`` admin API: seeding by JSON, fault switches, change order updates."""

from __future__ import annotations

import httpx

from sandbox.procore import ProcoreState, create_app
from sync.clock import FrozenClock


async def test_seed_by_json_then_read_through_the_api():
    state = ProcoreState(FrozenClock())
    transport = httpx.ASGITransport(app=create_app(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://procore.test") as http:
        assert (
            await http.post("/_sandbox/seed/companies", json={"company_id": 42, "name": "Co"})
        ).status_code == 200
        await http.post(
            "/_sandbox/seed/clients",
            json={"client_id": "app", "client_secret": "pw", "company_ids": [42]},
        )
        project = (
            await http.post("/_sandbox/seed/projects", json={"company_id": 42, "name": "Job"})
        ).json()
        bad = await http.post("/_sandbox/seed/projects", json={"company_id": 42})
        assert bad.status_code == 422

        token = (
            await http.post(
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": "app",
                    "client_secret": "pw",
                },
            )
        ).json()
        assert token["token_type"] == "bearer" and token["expires_in"] == 5400
        assert token["created_at"] == int(FrozenClock().now().timestamp())
        headers = {"Authorization": f"Bearer {token['access_token']}", "Procore-Company-Id": "42"}

        faults = await http.put("/_sandbox/faults", json={"force_429": 1})
        assert faults.json()["force_429"] == 1
        refused = await http.get(f"/rest/v1.0/projects/{project['id']}", headers=headers)
        assert refused.status_code == 429
        assert "surpassed the max number of requests" in refused.text
        assert refused.headers["X-Rate-Limit-Remaining"] == "0"
        shown = await http.get(f"/rest/v1.0/projects/{project['id']}", headers=headers)
        assert shown.json()["name"] == "Job"


async def test_demo_seed_and_change_order_update_via_admin():
    state = ProcoreState(FrozenClock())
    transport = httpx.ASGITransport(app=create_app(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://procore.test") as http:
        ids = (await http.post("/_sandbox/demo")).json()
        co_id = ids["pending_commitment_change_order_id"]
        state.clock.advance(60)  # type: ignore[attr-defined]
        updated = await http.patch(f"/_sandbox/change_orders/{co_id}", json={"status": "approved"})
        assert updated.status_code == 200
        assert state.change_orders[co_id].status == "approved"
        assert state.change_orders[co_id].updated_at == state.clock.now()
        assert (
            await http.patch("/_sandbox/change_orders/1", json={"status": "x"})
        ).status_code == 404
        assert (await http.get("/_sandbox/webhooks/deliveries")).json() == []  # no hooks registered
