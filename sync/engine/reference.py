"""The target's reference data, cached in the database (QuickBooks meters reads)."""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models import ReferenceEntry
from sync.models import ReferenceKind, ReferenceRecord
from sync.targets.base import Target

log = structlog.get_logger("costbridge.reference")
ALL_KINDS = set(ReferenceKind)
MAX_AGE = timedelta(hours=1)


async def cached(session: AsyncSession, target: str) -> list[ReferenceRecord]:
    rows = (
        await session.execute(select(ReferenceEntry).where(col(ReferenceEntry.target) == target))
    ).scalars()
    return [
        ReferenceRecord(
            kind=ReferenceKind(r.kind),
            id=r.ext_id,
            name=r.name,
            number=r.number,
            type=r.type,
            active=r.active,
            parent_id=r.parent_id,
        )
        for r in rows
    ]


async def refreshed_at(session: AsyncSession, target: str) -> datetime | None:
    return (
        await session.execute(
            select(func.min(col(ReferenceEntry.refreshed_at))).where(
                col(ReferenceEntry.target) == target
            )
        )
    ).scalar_one_or_none()


async def refresh(session: AsyncSession, target: Target, *, now: datetime) -> int:
    """Replace the cache with what the target has now; returns the number of records."""
    records = await target.load_reference_data(ALL_KINDS)
    await session.execute(delete(ReferenceEntry).where(col(ReferenceEntry.target) == target.name))
    for r in records:
        session.add(
            ReferenceEntry(
                target=target.name,
                kind=r.kind.value,
                ext_id=r.id,
                name=r.name[:512],
                number=r.number[:32],
                type=r.type[:64],
                active=r.active,
                parent_id=r.parent_id,
                refreshed_at=now,
            )
        )
    await session.flush()
    log.info("reference.refreshed", target=target.name, records=len(records))
    return len(records)


async def current(
    session: AsyncSession, target: Target, *, now: datetime, force: bool = False
) -> list[ReferenceRecord]:
    """The cached reference data, refreshed first when missing, stale or forced."""
    stamp = await refreshed_at(session, target.name)
    if force or stamp is None or now - stamp > MAX_AGE:
        await refresh(session, target, now=now)
    return await cached(session, target.name)
