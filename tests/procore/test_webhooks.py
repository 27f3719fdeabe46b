"""The emulator's dispatcher: hooks and triggers over REST, deliveries into a test receiver."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.procore import LineSeed
from tests.procore.conftest import API, CLIENT_ID, COMPANY_ID, HOOK_AUTH


class Receiver:
    """A tiny webhook endpoint that records what arrives and answers a chosen status."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.app = Starlette(routes=[Route("/procore/webhook", self.handle, methods=["POST"])])

    async def handle(self, request: Request) -> Response:
        self.received.append((dict(request.headers), await request.body()))
        return Response(status_code=self.status)


@pytest.fixture
async def receiver(world):
    receiver = Receiver()
    transport = httpx.ASGITransport(app=receiver.app)
    async with httpx.AsyncClient(transport=transport) as http:
        world.state.webhook_http = http
        yield receiver


async def register_hook(client, payload_version: str = "v2.0") -> str:
    base = f"/rest/v2.0/companies/{COMPANY_ID}/webhooks/hooks"
    response = await client.request(
        "POST",
        API + base,
        json_body={
            "payload_version": payload_version,
            "namespace": "costbridge",
            "destination_url": "http://receiver.test/procore/webhook",
            "destination_headers": {"Authorization": HOOK_AUTH},
        },
    )
    hook = response.json()["data"]
    assert hook["destination_headers"]["Authorization"] == "*****ecret"  # redacted like Procore
    for resource in ("Commitment Change Orders", "Change Order Packages"):
        await client.request(
            "POST",
            f"{API}{base}/{hook['id']}/triggers",
            json_body={"resource_name": resource, "event_type": "update"},
        )
    return str(hook["id"])


async def test_update_is_delivered_with_the_configured_authorization(
    world, client, source, receiver
):
    await register_hook(client)
    order = world.state.add_commitment_change_order(
        world.commitment.id, "001", [LineSeed("Wire", "5.00", "16-100", "M")]
    )
    assert receiver.received == [] and world.state.deliveries == []  # create has no trigger

    world.state.set_status(order.id, "approved")
    assert receiver.received == []  # nothing is sent until the flush
    await world.state.dispatch_pending()

    assert len(receiver.received) == 2  # the change order and its legacy package
    events = [source.parse_event(headers, raw) for headers, raw in receiver.received]
    assert {(e.resource_name, e.resource_id) for e in events} == {
        ("Commitment Change Orders", str(order.id)),
        ("Change Order Packages", str(order.legacy_package_id)),
    }
    assert all(e.event_type == "update" and not e.caused_by_us for e in events)
    assert all(headers["authorization"] == HOOK_AUTH for headers, _ in receiver.received)
    assert {d.status for d in world.state.deliveries} == {"delivered"}


async def test_duplicate_switch_repeats_each_delivery(world, client, source, receiver):
    await register_hook(client)
    order = world.state.add_commitment_change_order(world.commitment.id, "001")
    world.state.switches.duplicate = 2
    world.state.update_change_order(order.id, title="Renamed")
    await world.state.dispatch_pending()
    keys = [source.parse_event(h, raw).key for h, raw in receiver.received]
    assert len(keys) == 6  # two deliveries, three copies each
    assert len(set(keys)) == 2  # same ULID per copy: the consumer dedupes on it


async def test_reverse_switch_and_v4_payloads(world, client, source, receiver):
    await register_hook(client, payload_version="v4.0")
    order = world.state.add_commitment_change_order(world.commitment.id, "001")
    world.state.switches.order = "reverse"
    world.state.update_change_order(order.id, title="Renamed")
    await world.state.dispatch_pending()
    events = [source.parse_event(h, raw) for h, raw in receiver.received]
    assert [e.resource_name for e in events] == [
        "Change Order Packages",
        "Commitment Change Orders",
    ]
    assert all(e.resource_id.isdigit() and e.company_id == str(COMPANY_ID) for e in events)


async def test_writes_through_the_api_carry_our_application_id(world, client, source, receiver):
    await register_hook(client)
    order = world.state.add_commitment_change_order(world.commitment.id, "001")
    await client.patch(
        f"/rest/v1.0/projects/{world.project.id}/commitment_change_orders/{order.id}",
        {"change_order": {"title": "Synced"}},
    )
    await world.state.dispatch_pending()
    events = [source.parse_event(h, raw) for h, raw in receiver.received]
    assert len(events) == 2
    assert all(e.caused_by_us for e in events)
    payload_app_ids = {
        d.payload["metadata"]["source_application_id"] for d in world.state.deliveries
    }
    assert payload_app_ids == {CLIENT_ID}


async def test_failing_receiver_keeps_deliveries_for_retry(world, client, receiver):
    await register_hook(client)
    order = world.state.add_commitment_change_order(world.commitment.id, "001")
    receiver.status = 500
    world.state.update_change_order(order.id, title="Renamed")
    await world.state.dispatch_pending()
    # The first failure pauses the destination: the second delivery is not even tried.
    assert len(receiver.received) == 1
    assert [d.status for d in world.state.deliveries] == ["retrying", "enqueued"]
    receiver.status = 204
    await world.state.dispatch_pending()
    assert [d.status for d in world.state.deliveries] == ["delivered", "delivered"]


async def test_drop_switch_discards(world, client, receiver):
    await register_hook(client)
    order = world.state.add_commitment_change_order(world.commitment.id, "001")
    world.state.switches.drop_rate = 1.0
    world.state.update_change_order(order.id, title="Renamed")
    await world.state.dispatch_pending()
    assert receiver.received == []
    assert {d.status for d in world.state.deliveries} == {"discarded"}


async def test_hooks_are_listed_by_namespace(world, client):
    hook_id = await register_hook(client)
    listed = await client.get(
        f"/rest/v2.0/companies/{COMPANY_ID}/webhooks/hooks", {"namespace": "costbridge"}
    )
    assert [(h["id"], h["trigger_count"]) for h in listed["data"]] == [(hook_id, 2)]
    other = await client.get(
        f"/rest/v2.0/companies/{COMPANY_ID}/webhooks/hooks", {"namespace": "someone-else"}
    )
    assert other["data"] == []
