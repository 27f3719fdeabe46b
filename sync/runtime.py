"""Running the service: web + worker + scheduler in one process (``costbridge serve``)."""

from __future__ import annotations

import asyncio
import contextlib

import structlog
import uvicorn
from fastapi import FastAPI

from db.migrate import upgrade
from sync.engine.scheduler import build_scheduler, refresh_references
from sync.engine.worker import run_forever
from sync.service import Companion, Service

log = structlog.get_logger("costbridge.runtime")


def companions_of(svc: Service) -> list[Companion]:
    """What extensions run beside the web app (e.g. Slack over Socket Mode).

    Asked before anything starts, so a missing setting raises ``ConfigurationError`` first."""
    return [c for factory in svc.hooks.companions if (c := factory(svc)) is not None]


async def serve(
    svc: Service, app: FastAPI, *, host: str, port: int, worker: bool = True, scheduler: bool = True
) -> None:
    """Serve HTTP and, beside it, the worker loop, the scheduled jobs and the companions.

    ``app`` must be built (``sync.web.create_app``) first: companions such as Socket Mode share
    what it mounted."""
    companions = companions_of(svc)
    await upgrade(svc.engine)
    await refresh_references(svc)  # rules and links resolve against it from the first minute
    stop = asyncio.Event()
    jobs = build_scheduler(svc) if scheduler else None
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False, lifespan="off")
    )
    worker_task = asyncio.create_task(run_forever(svc, stop)) if worker else None
    if jobs is not None:
        jobs.start()
    log.info("service.started", host=host, port=port, worker=worker, companions=len(companions))
    started: list[Companion] = []
    try:
        for companion in companions:
            await companion.start()
            started.append(companion)
        await server.serve()
    finally:
        stop.set()
        for companion in reversed(started):
            await companion.stop()
        if jobs is not None:
            jobs.shutdown(wait=False)
        if worker_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await worker_task
        await svc.aclose()
        log.info("service.stopped")
