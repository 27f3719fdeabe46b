"""The standalone emulator's background delivery: what is queued goes out shortly, by itself.

In-process tests never start it; they call ``dispatch_pending`` when they choose, so the order of
events stays theirs.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from sandbox.procore.backoff import held_destinations
from sandbox.procore.dispatcher import DELIVERY_TIMEOUT, PENDING
from sandbox.procore.hookstore import HookStore
from sandbox.procore.records import Delivery

log = structlog.get_logger("sandbox.procore.webhooks")
POLL_SECONDS = 0.2  # how soon after a change its webhook leaves
# A POST in flight when the server stops may take Procore's timeout to answer; then we cancel.
STOP_GRACE_SECONDS = DELIVERY_TIMEOUT + 1.0


async def deliver_due(state: HookStore) -> list[Delivery]:
    """One flush of what is pending, except destinations still waiting out their backoff."""
    pending = [d for d in state.deliveries if d.status in PENDING]
    if not pending:
        return []
    hold = held_destinations(state.deliveries, state.now())
    if all(d.destination_url in hold for d in pending):
        return []
    return await state.dispatch_pending(hold=hold)


async def deliver_continuously(
    state: HookStore, stop: asyncio.Event, *, poll_seconds: float = POLL_SECONDS
) -> None:
    """Flush every ``poll_seconds`` until ``stop`` is set."""
    while not stop.is_set():
        try:
            await deliver_due(state)
        except Exception:  # a sandbox bug is logged, and the next change is still delivered
            log.exception("webhook.loop_failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), poll_seconds)


async def stop_loop(task: asyncio.Task[None], stop: asyncio.Event) -> None:
    """Ask the loop to end, give an in-flight POST its timeout, then cancel it."""
    stop.set()
    done, _ = await asyncio.wait({task}, timeout=STOP_GRACE_SECONDS)
    if not done:
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
