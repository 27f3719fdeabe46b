"""Is the Web Connector still polling? Last poll and open work per company file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models_qbd import QbdCompanyFile
from sync.settings import Settings
from sync.targets.qbd import outbox

log = structlog.get_logger("costbridge.qbwc")


@dataclass(frozen=True)
class CompanyHealth:
    name: str
    last_poll_at: datetime | None
    stale: bool
    pending: int
    last_error: str


def stale_after(settings: Settings) -> timedelta:
    minutes = settings.qbd_stale_minutes or 3 * settings.qbd_run_every_minutes
    return timedelta(minutes=minutes)


async def company_health(
    session: AsyncSession, settings: Settings, *, now: datetime
) -> list[CompanyHealth]:
    """One line per company file; ``stale`` when the Web Connector has been silent too long
    (never having polled counts as silent once the file is older than the limit)."""
    limit = stale_after(settings)
    out = []
    for company in (await session.execute(select(QbdCompanyFile))).scalars():
        assert company.id is not None
        seen = company.last_poll_at or company.created_at
        out.append(
            CompanyHealth(
                name=company.name,
                last_poll_at=company.last_poll_at,
                stale=now - seen > limit,
                pending=await outbox.pending_count(session, company.id),
                last_error=company.last_error,
            )
        )
    return out


async def check(session: AsyncSession, settings: Settings, *, now: datetime) -> list[CompanyHealth]:
    """Log an alert for every silent Web Connector (the scheduler runs this)."""
    found = await company_health(session, settings, now=now)
    for health in found:
        if health.stale:
            log.error(
                "qbwc.stale",
                company=health.name,
                last_poll_at=health.last_poll_at.isoformat() if health.last_poll_at else None,
                pending=health.pending,
            )
    return found
