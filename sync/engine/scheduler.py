"""Scheduled jobs (APScheduler, asyncio): the engine's own, then those extensions registered.

The engine's: the reconciliation sweep, the reference-data refresh, the Web Connector check.
"""

from __future__ import annotations

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from sync.engine import reference
from sync.engine.sweep import sweep
from sync.errors import CostbridgeError, SystemAwayError
from sync.health import store as health_store
from sync.health.jobs import check_web_connectors
from sync.service import ScheduledJob, Service

log = structlog.get_logger("costbridge.scheduler")


async def _sweep_job(svc: Service) -> None:
    try:
        await sweep(svc)
    except CostbridgeError as exc:  # the next run tries again; a human sees it in the logs
        log.warning("sweep.failed", error=str(exc))
    await health_store.flush(svc)  # the sweep talks to Procore: a refused token is an alert


async def refresh_references(svc: Service) -> int | None:
    """Reload the target's reference data into the cache (hourly, and when serve or a worker
    starts, so rules and links resolve against it); None when the target cannot say now."""
    try:
        async with svc.sessions() as session, session.begin():
            count = await reference.refresh(session, svc.target, now=svc.clock.now())
    except SystemAwayError as exc:  # e.g. the Web Connector has not polled yet: not a failure
        log.info("reference.waiting", reason=exc.message)
        return None
    except CostbridgeError as exc:
        log.warning("reference.refresh_failed", error=str(exc))
        return None
    finally:
        await health_store.flush(svc)
    return count


async def _qbwc_health_job(svc: Service) -> None:
    """A Web Connector that stopped polling is an alert (``qbwc.stale`` + connection health)."""
    await check_web_connectors(svc)


def engine_jobs(svc: Service) -> list[ScheduledJob]:
    every = svc.settings
    return [
        ScheduledJob(
            "sweep",
            _sweep_job,
            "interval",
            {"minutes": every.sweep_interval_minutes, "next_run_time": svc.clock.now()},
        ),
        ScheduledJob("reference_refresh", refresh_references, "interval", {"minutes": 60}),
        ScheduledJob(
            "qbwc_health", _qbwc_health_job, "interval", {"minutes": every.qbd_run_every_minutes}
        ),
    ]


def build_scheduler(svc: Service) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    for job in [*engine_jobs(svc), *svc.hooks.jobs]:
        scheduler.add_job(
            job.run,
            job.trigger,
            args=[svc],
            id=job.id,
            coalesce=True,
            max_instances=1,
            **job.options,
        )
    return scheduler
