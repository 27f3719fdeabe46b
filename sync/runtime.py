"""Running the service (``costbridge serve``): web + worker + scheduler in one process, or the
web in ``web_workers`` processes of its own beside this one (``sync.web_processes``)."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import structlog
import uvicorn
from fastapi import FastAPI

from db.migrate import upgrade
from sync.engine.scheduler import build_scheduler, refresh_references
from sync.engine.worker import run_forever
from sync.service import Companion, Service
from sync.web_processes import WebProcesses, bind, uvicorn_config

log = structlog.get_logger("costbridge.runtime")


def companions_of(svc: Service) -> list[Companion]:
    """What extensions run beside the web app (e.g. Slack over Socket Mode).

    Asked before anything starts, so a missing setting raises ``ConfigurationError`` first."""
    return [c for factory in svc.hooks.companions if (c := factory(svc)) is not None]


async def serve(
    svc: Service,
    app: FastAPI,
    *,
    host: str,
    port: int,
    worker: bool = True,
    scheduler: bool = True,
    web_workers: int = 0,
) -> None:
    """Serve HTTP and, beside it, the worker loop, the scheduled jobs and the companions.

    ``app`` must be built (``sync.web.create_app``) first: companions such as Socket Mode share
    what it mounted. With ``web_workers`` > 0, that many child processes serve HTTP on the port
    and this process runs the rest (and serves no HTTP itself)."""
    companions = companions_of(svc)
    await upgrade(svc.engine)
    await refresh_references(svc)  # rules and links resolve against it from the first minute
    stop = asyncio.Event()
    jobs = build_scheduler(svc) if scheduler else None
    worker_task = asyncio.create_task(run_forever(svc, stop)) if worker else None
    if jobs is not None:
        jobs.start()
    log.info(
        "service.started",
        host=host,
        port=port,
        worker=worker,
        web_workers=web_workers,
        companions=len(companions),
    )
    started: list[Companion] = []
    web: WebProcesses | None = None
    try:
        if web_workers > 0:  # bound here, before the companions: a busy port fails first
            web = WebProcesses(bind(host, port), web_workers, host, port)
        for companion in companions:
            await companion.start()
            started.append(companion)
        if web is None:
            await uvicorn.Server(uvicorn_config(app, host=host, port=port)).serve()
        else:
            web.start()
            await _until_signalled(web, stop)
    finally:
        stop.set()
        if web is not None:
            await web.stop()
        for companion in reversed(started):
            await companion.stop()
        if jobs is not None:
            jobs.shutdown(wait=False)
        if worker_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await worker_task
        await svc.aclose()
        log.info("service.stopped")


async def _until_signalled(web: WebProcesses, stop: asyncio.Event) -> None:
    """What uvicorn does for a single process: SIGTERM or Ctrl-C ends ``serve`` gracefully."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await web.watch(stop)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
