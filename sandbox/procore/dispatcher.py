"""Webhook delivery: POST queued events to their hooks, with Procore's documented misbehaviour.

Deliveries are sent only when ``dispatch_pending`` is awaited, so tests are deterministic; a
standalone server awaits it from its delivery loop (``delivery_loop``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Collection
from datetime import datetime
from typing import Protocol

import httpx
import structlog

from sandbox.procore.records import Attempt, Delivery, Hook, WebhookSwitches

log = structlog.get_logger("sandbox.procore.webhooks")
DELIVERY_TIMEOUT = 5.0  # seconds, as Procore (research §1.4)
PENDING = frozenset({"enqueued", "retrying"})


class NoWebhookClient(RuntimeError):
    """Nothing can deliver: the emulator runs in-process and nobody gave it an HTTP client."""

    def __init__(self) -> None:
        super().__init__(
            "nowhere to deliver webhooks: ProcoreState.webhook_http is not set (run the emulator "
            "standalone, `costbridge sandbox procore` or `python -m sandbox.procore`, or set "
            "ProcoreState.webhook_http in-process)"
        )


class Outbox(Protocol):
    """What delivery needs of the webhook store (``HookStore``)."""

    webhook_http: httpx.AsyncClient | None
    hooks: dict[int, Hook]
    deliveries: list[Delivery]
    switches: WebhookSwitches
    rng: random.Random

    def now(self) -> datetime: ...


async def dispatch_pending(state: Outbox, *, hold: Collection[str] = frozenset()) -> list[Delivery]:
    """Send every enqueued or retrying delivery; returns those handled in this flush.

    Deliveries to a destination in ``hold`` (waiting out its backoff) stay as they are.
    """
    if state.webhook_http is None:
        raise NoWebhookClient()
    pending = [d for d in state.deliveries if d.status in PENDING and d.destination_url not in hold]
    if state.switches.order == "reverse":
        pending.reverse()
    elif state.switches.order == "shuffle":
        state.rng.shuffle(pending)
    blocked: set[str] = set()  # a failing destination pauses its later deliveries
    for delivery in pending:
        hook = state.hooks.get(delivery.hook_id)
        if hook is None or state.rng.random() < state.switches.drop_rate:
            delivery.status = "discarded"
            continue
        if delivery.destination_url in blocked:
            continue
        headers = {"Content-Type": "application/json", **hook.destination_headers}
        ok = True
        for _ in range(1 + state.switches.duplicate):
            attempt = await _post(state, delivery, headers)
            ok = ok and attempt.success
        delivery.status = "delivered" if ok else "retrying"
        if not ok:
            blocked.add(delivery.destination_url)
    return pending


async def _post(state: Outbox, delivery: Delivery, headers: dict[str, str]) -> Attempt:
    assert state.webhook_http is not None
    started = state.now()
    body = json.dumps(delivery.payload).encode()
    try:
        response = await state.webhook_http.post(
            delivery.destination_url, content=body, headers=headers, timeout=DELIVERY_TIMEOUT
        )
        attempt = Attempt(response.status_code, 200 <= response.status_code < 300, started)
    except httpx.HTTPError as exc:
        attempt = Attempt(None, False, started, error=type(exc).__name__)
    delivery.attempts.append(attempt)
    delivery.sent_count += 1
    log.info(
        "webhook.delivery",
        delivery_id=delivery.id,
        resource_name=delivery.resource_name,
        event_type=delivery.event_type,
        status=attempt.response_status,
        error=attempt.error or None,
    )
    return attempt
