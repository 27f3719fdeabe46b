"""The target's reference data, cached in the database (QuickBooks meters reads)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models import ReferenceEntry
from mappings.references import ReferenceIndex
from sync.errors import CostbridgeError
from sync.models import ReferenceKind, ReferenceRecord
from sync.targets.base import Target

log = structlog.get_logger("costbridge.reference")
ALL_KINDS = set(ReferenceKind)
T = TypeVar("T")
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


async def counts(session: AsyncSession, target: str) -> dict[str, int]:
    """How many cached records of each kind the target has."""
    rows = await session.execute(
        select(col(ReferenceEntry.kind), func.count())
        .where(col(ReferenceEntry.target) == target)
        .group_by(col(ReferenceEntry.kind))
    )
    return {str(kind): int(n) for kind, n in rows.all()}


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


async def look_up(
    session: AsyncSession,
    target: Target,
    *,
    now: datetime,
    find: Callable[[ReferenceIndex], T],
    found: Callable[[T], bool],
) -> T:
    """``find`` over the target's reference data: the cache (refreshed when empty or stale),
    and once more over fresh data when it finds nothing (the record may be newer than the
    cache). Raises the target's error only when there is no data at all to look in; when the
    second read fails, the answer of the data at hand stands."""
    try:
        records = await current(session, target, now=now)
    except CostbridgeError:
        records = await cached(session, target.name)
        if not records:
            raise
    result = find(ReferenceIndex(records))
    if found(result):
        return result
    try:
        fresh = await current(session, target, now=now, force=True)
    except CostbridgeError as exc:
        log.info("reference.second_look_failed", target=target.name, error=str(exc))
        return result
    return find(ReferenceIndex(fresh))
