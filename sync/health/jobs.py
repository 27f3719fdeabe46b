"""Scheduled health checks that are not a client's call: is each Web Connector still polling?"""

from __future__ import annotations

from sync.health import store as health_store
from sync.health.signals import qbd_connection
from sync.service import Service
from sync.targets.qbd.health import CompanyHealth, check


async def check_web_connectors(svc: Service) -> list[CompanyHealth]:
    """A silent Web Connector opens one alert per company file; its next poll resolves it."""
    now = svc.clock.now()
    async with svc.sessions() as session:
        found = await check(session, svc.settings, now=now)
    for company in found:
        last = company.last_poll_at.isoformat() if company.last_poll_at else "never"
        svc.health.observe(
            qbd_connection(company.name),
            "stale" if company.stale else "polled",
            now,
            f"last poll: {last}; {company.pending} requests waiting",
        )
    await health_store.flush(svc)
    return found
