"""The worker: claims work items from the database and runs them, one at a time per worker."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
from datetime import timedelta

import structlog
from sqlalchemy.exc import SQLAlchemyError

from db.models import Control, DeadLetter
from sync.engine import queue
from sync.engine.inbox import process_event
from sync.engine.pipeline import sync_document
from sync.engine.retry import Reschedule, next_attempt_at
from sync.errors import CostbridgeError, FatalError, SystemAwayError
from sync.health import store as health_store
from sync.models import DocumentRef
from sync.service import Service

MIN_WAIT_SECONDS = 1.0
log = structlog.get_logger("costbridge.worker")
PAUSED = "paused"


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{id(asyncio.current_task())}"


async def is_paused(svc: Service) -> bool:
    async with svc.sessions() as session:
        control = await session.get(Control, PAUSED)
        return control is not None and control.value == "1"


async def run_one(svc: Service, *, me: str) -> bool:
    """Claim and run one due item; False when there was nothing to do (or we are paused)."""
    if await is_paused(svc):
        return False
    async with svc.sessions() as session:
        claimed = await queue.claim(
            session,
            worker_id=me,
            now=svc.clock.now(),
            lease_seconds=svc.settings.worker_lease_seconds,
        )
    if claimed is None:
        return False
    try:
        await _dispatch(svc, claimed)
    except Exception as exc:  # every outcome is recorded: see _after_failure
        await _after_failure(svc, claimed, exc)
    else:
        async with svc.sessions() as session, session.begin():
            await queue.finish(session, claimed, now=svc.clock.now())
    # What the item taught us about its connections (a refused token, long throttling): one
    # durable health record and alert per connection, never one per document.
    await health_store.flush(svc)
    return True


async def _after_failure(svc: Service, claimed: queue.Claimed, exc: Exception) -> None:
    """Decide what a failed work item becomes: later, again, or a dead letter."""
    bound = log.bind(work=claimed.key)
    if isinstance(exc, Reschedule):  # the document's version counts its own attempts
        async with svc.sessions() as session, session.begin():
            await queue.retry_later(
                session, claimed, now=svc.clock.now(), run_after=exc.at, count_attempt=False
            )
    elif isinstance(exc, SystemAwayError):
        # Waiting for a system known to be away is not a failed attempt (e.g. the source
        # unreachable by design for a while): the item comes back at no cost.
        bound.info("worker.waiting", reason=exc.message)
        now = svc.clock.now()
        if exc.retry_after is not None:  # back when it says (a rate-limit window's reset)
            # at least a second: a reset already past must not make the item due at once
            wait = min(max(exc.retry_after, MIN_WAIT_SECONDS), svc.settings.retry_max_seconds)
            at = now + timedelta(seconds=wait)
        else:
            at = next_attempt_at(svc.settings, 1, now)
        async with svc.sessions() as session, session.begin():
            await queue.retry_later(
                session, claimed, now=svc.clock.now(), run_after=at, count_attempt=False
            )
    elif isinstance(exc, SQLAlchemyError):
        # Our own database hiccuped (locked, restarted): the work is intact, try again later.
        bound.warning("worker.database_error", error=str(exc))
        await _retry_item(svc, claimed, None)
    elif isinstance(exc, CostbridgeError) and not isinstance(exc, FatalError):
        # Failures before a document version exists (e.g. the source is down while resolving
        # an event): retry the item itself with the same backoff, then dead-letter it.
        if claimed.attempts + 1 >= svc.settings.retry_max_attempts:
            await _bury_item(svc, claimed, exc)
        else:
            bound.warning("worker.item_failed", error=str(exc))
            await _retry_item(svc, claimed, getattr(exc, "retry_after", None))
    elif isinstance(exc, FatalError):
        await _bury_item(svc, claimed, exc)
    else:
        # A bug: recorded with its traceback and dead-lettered, never retried blindly.
        bound.exception("worker.bug", exc_info=exc)
        await _bury_item(svc, claimed, FatalError(f"internal error: {type(exc).__name__}: {exc}"))


async def _retry_item(svc: Service, claimed: queue.Claimed, retry_after: float | None) -> None:
    at = next_attempt_at(
        svc.settings, claimed.attempts + 1, svc.clock.now(), retry_after=retry_after
    )
    async with svc.sessions() as session, session.begin():
        await queue.retry_later(session, claimed, now=svc.clock.now(), run_after=at)


async def _bury_item(svc: Service, claimed: queue.Claimed, exc: CostbridgeError) -> None:
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        session.add(
            DeadLetter(
                subject=claimed.key,
                payload=json.dumps(claimed.data),
                error=str(exc),
                created_at=now,
            )
        )
        await queue.finish(session, claimed, now=now)
    log.error("worker.item_dead", work=claimed.key, attempts=claimed.attempts + 1, error=str(exc))


async def _dispatch(svc: Service, claimed: queue.Claimed) -> None:
    if claimed.kind == "event":
        await process_event(svc, int(claimed.data["inbox_id"]))
    elif claimed.kind == "sync":
        ref = DocumentRef.model_validate(claimed.data["ref"])
        await sync_document(svc, ref, listed=claimed.data.get("listed"))
    elif claimed.kind == "notify":
        for notifier in svc.hooks.notifiers:
            await notifier(svc, claimed.data)
    elif claimed.kind in svc.hooks.work:  # a kind an extension registered (e.g. Slack clicks)
        await svc.hooks.work[claimed.kind](svc, claimed.data)
    else:
        log.error("worker.unknown_kind", kind=claimed.kind, work=claimed.key)


async def run_until_idle(svc: Service, *, max_items: int = 10_000) -> int:
    """Run every item that is due now; the demo and the tests use this. Returns items run."""
    me = worker_id()
    done = 0
    while done < max_items and await run_one(svc, me=me):
        done += 1
    return done


async def run_forever(svc: Service, stop: asyncio.Event) -> None:
    """The long-running loop of ``costbridge worker`` / ``serve``."""
    me = worker_id()
    log.info("worker.started", worker=me)
    while not stop.is_set():
        worked = False
        try:
            worked = await run_one(svc, me=me)
        except Exception:  # a bug must not kill the worker; it is logged with its traceback
            log.exception("worker.loop_error")
        if not worked:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=svc.settings.worker_poll_seconds)
    log.info("worker.stopped", worker=me)
