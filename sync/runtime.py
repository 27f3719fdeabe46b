"""Running the service: web + worker + scheduler in one process (``costbridge serve``)."""

from __future__ import annotations

import asyncio
import contextlib

import structlog
import uvicorn
from fastapi import FastAPI

from db.migrate import upgrade
from sync.scheduler import build_scheduler
from sync.service import Service
from sync.worker import run_forever

log = structlog.get_logger("costbridge.runtime")


async def serve(
    svc: Service, app: FastAPI, *, host: str, port: int, worker: bool = True, scheduler: bool = True
) -> None:
    """Serve HTTP and, beside it, the worker loop and the scheduled jobs, until stopped.

    With ``COSTBRIDGE_SLACK_SOCKET_MODE`` Slack also comes in over Socket Mode; a missing app
    token raises ``bot.socket_mode.SocketModeRefused`` before anything starts."""
    from bot import socket_mode

    socket = socket_mode.socket_mode_handler(svc)  # ``app`` was built, so the Bolt app is mounted
    await upgrade(svc.engine)
    stop = asyncio.Event()
    jobs = build_scheduler(svc) if scheduler else None
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False, lifespan="off")
    )
    worker_task = asyncio.create_task(run_forever(svc, stop)) if worker else None
    if jobs is not None:
        jobs.start()
    log.info("service.started", host=host, port=port, worker=worker, socket_mode=bool(socket))
    try:
        if socket is not None:
            await socket_mode.connect(socket)
        await server.serve()
    finally:
        stop.set()
        if socket is not None:
            await socket_mode.close(socket)
        if jobs is not None:
            jobs.shutdown(wait=False)
        if worker_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await worker_task
        await svc.aclose()
        log.info("service.stopped")
