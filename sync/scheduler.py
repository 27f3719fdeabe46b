"""Scheduled jobs (APScheduler, asyncio): the reconciliation sweep and reference refresh."""

from __future__ import annotations

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from sync import health_store, reference
from sync.errors import CostbridgeError
from sync.service import Service
from sync.sweep import sweep

log = structlog.get_logger("costbridge.scheduler")


async def _sweep_job(svc: Service) -> None:
    try:
        await sweep(svc)
    except CostbridgeError as exc:  # the next run tries again; a human sees it in the logs
        log.warning("sweep.failed", error=str(exc))
    await health_store.flush(svc)  # the sweep talks to Procore: a refused token is an alert


async def _refresh_job(svc: Service) -> None:
    try:
        async with svc.sessions() as session, session.begin():
            await reference.refresh(session, svc.target, now=svc.clock.now())
    except CostbridgeError as exc:
        log.warning("reference.refresh_failed", error=str(exc))
    await health_store.flush(svc)


async def _qbwc_health_job(svc: Service) -> None:
    """A Web Connector that stopped polling is an alert (``qbwc.stale`` + connection health)."""
    from sync.health_jobs import check_web_connectors

    await check_web_connectors(svc)


def build_scheduler(svc: Service) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        _sweep_job,
        "interval",
        args=[svc],
        id="sweep",
        minutes=svc.settings.sweep_interval_minutes,
        coalesce=True,
        max_instances=1,
        next_run_time=svc.clock.now(),
    )
    scheduler.add_job(
        _refresh_job,
        "interval",
        args=[svc],
        id="reference_refresh",
        minutes=60,
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        _qbwc_health_job,
        "interval",
        args=[svc],
        id="qbwc_health",
        minutes=svc.settings.qbd_run_every_minutes,
        coalesce=True,
        max_instances=1,
    )
    from bot.schedule import add_jobs  # the daily Slack digest (when Slack is configured)

    add_jobs(scheduler, svc)
    return scheduler
