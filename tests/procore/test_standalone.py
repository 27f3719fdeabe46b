"""The standalone emulator's delivery: the loop, Procore's backoff, --deliver-to, the 409."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import structlog
from typer.testing import CliRunner

from sandbox.procore import create_app
from sandbox.procore.backoff import held_destinations, wait_after
from sandbox.procore.destination import register_destination
from sandbox.procore.records import Attempt, Delivery
from sandbox.procore.standalone import delivering
from sandbox.procore.state import ProcoreState
from tests.procore.conftest import COMPANY_ID, HOOK_AUTH, World
from tests.procore.test_webhooks import Receiver

URL = "http://receiver.test/procore/webhook"


async def eventually(condition: Callable[[], bool], seconds: float = 2.0) -> None:
    """The loop runs on real time: wait (bounded) for what it should have done."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 -- the state has no event to wait on
            await asyncio.sleep(0.01)


def client_of(state: ProcoreState) -> httpx.AsyncClient | None:
    return state.webhook_http  # read through a call: mypy would keep an attribute narrowed


def test_backoff_doubles_from_one_second_to_an_hour_and_a_success_resets_it(world: World):
    now = world.clock.now()
    assert [wait_after(n).total_seconds() for n in (1, 2, 3, 13, 40)] == [1, 2, 4, 3600, 3600]
    failing = Delivery(1, 1, URL, {}, "retrying", "r", "update")
    failing.attempts = [Attempt(None, False, now), Attempt(500, False, now)]
    assert held_destinations([failing], now + timedelta(seconds=1.9)) == {URL}
    assert held_destinations([failing], now + timedelta(seconds=2)) == set()
    later = Delivery(2, 1, URL, {}, "delivered", "r", "update")
    later.attempts = [Attempt(200, True, now + timedelta(seconds=3))]
    assert held_destinations([failing, later], now + timedelta(seconds=3)) == set()


def test_deliver_to_registers_a_company_hook_for_change_orders_and_commitments(world: World):
    (hook,) = register_destination(world.state, URL, authorization=HOOK_AUTH)
    assert (hook.company_id, hook.project_id, hook.payload_version) == (COMPANY_ID, None, "v4.0")
    assert hook.destination_headers == {"Authorization": HOOK_AUTH}
    triggers = {(t.resource_name, t.event_type) for t in world.state.triggers.values()}
    assert triggers == {
        (resource, event)
        for resource in (
            "Commitment Change Orders",
            "Prime Change Orders",
            "Work Order Contracts",
            "Purchase Order Contracts",
        )
        for event in ("create", "update", "delete")
    }
    with pytest.raises(ValueError, match="seed one first"):
        register_destination(ProcoreState(), URL)
    with pytest.raises(ValueError, match="http"):
        register_destination(world.state, "ftp://example.test/hook")


async def test_changes_go_out_by_themselves_and_a_failing_receiver_waits_its_backoff(
    world: World,
):
    receiver = Receiver(status=503)
    register_destination(world.state, URL, authorization=HOOK_AUTH)
    transport = httpx.ASGITransport(app=receiver.app)
    async with delivering(world.state, transport=transport, poll_seconds=0.01) as http:
        assert client_of(world.state) is http
        order = world.state.add_commitment_change_order(world.commitment.id, "001")
        await eventually(lambda: len(receiver.received) == 1)
        await asyncio.sleep(0.1)  # ten more rounds of the loop: the clock stands still
        assert len(receiver.received) == 1 and world.state.deliveries[0].status == "retrying"

        receiver.status = 200
        world.clock.advance(1)  # Procore's first wait is one second
        await eventually(lambda: world.state.deliveries[0].status == "delivered")
        world.state.update_change_order(order.id, title="Renamed")
        await eventually(lambda: len(receiver.received) == 3)  # a success reset the backoff
    assert http.is_closed and client_of(world.state) is None  # closed, and given back
    headers = [h["authorization"] for h, _ in receiver.received]
    assert headers == [HOOK_AUTH] * 3
    assert {d.status for d in world.state.deliveries} == {"delivered"}


async def test_dispatch_without_a_client_is_409_and_with_one_reports_what_happened(
    world: World,
):
    register_destination(world.state, URL)
    world.state.add_commitment_change_order(world.commitment.id, "001")
    transport = httpx.ASGITransport(app=create_app(world.state))
    async with httpx.AsyncClient(transport=transport, base_url="http://procore.test") as http:
        refused = await http.post("/_sandbox/webhooks/dispatch")
        assert refused.status_code == 409
        assert "webhook_http is not set" in refused.json()["error"]
        assert world.state.deliveries[0].status == "enqueued"  # kept for later

        receiver = Receiver()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver.app)) as hooks:
            world.state.webhook_http = hooks
            flushed = await http.post("/_sandbox/webhooks/dispatch")
    assert flushed.json() == {"handled": 1, "statuses": {"delivered": 1}}
    assert len(receiver.received) == 1


def test_the_command_refuses_a_destination_that_is_not_a_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from sync.cli.main import app
    from sync.settings import get_settings

    monkeypatch.chdir(tmp_path)  # no stray .env is read
    logging_config = structlog.get_config()
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["sandbox", "procore", "--deliver-to", "localhost:8000"])
    finally:
        # Had the command configured logging, it would write to the runner's closed stream.
        structlog.configure(**logging_config)
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "http(s) URL" in result.output
