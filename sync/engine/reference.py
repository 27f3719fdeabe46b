"""The target's reference data, cached in the database (QuickBooks meters reads).

Every store moves the target's stamp (``db.data_versions.reference``) in the same transaction:
``refreshed_at`` alone cannot tell two refreshes at one instant apart (a frozen clock, or the
forced refresh a mapping makes right after a regular one), and the mapping caches of every
process (``sync.engine.mapping_cache``) are keyed by the stamp.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db import data_versions
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
    await store(session, target.name, records, now=now)
    log.info("reference.refreshed", target=target.name, records=len(records))
    return len(records)


async def store(
    session: AsyncSession, target: str, records: Sequence[ReferenceRecord], *, now: datetime
) -> None:
    """Replace the target's cached records with ``records``, refreshed at ``now``."""
    await session.execute(delete(ReferenceEntry).where(col(ReferenceEntry.target) == target))
    for r in records:
        session.add(
            ReferenceEntry(
                target=target,
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
    await data_versions.bump(session, data_versions.reference(target))


def is_stale(stamp: datetime | None, now: datetime) -> bool:
    """Whether data refreshed at ``stamp`` (None: never, or nothing stored) is read again."""
    return stamp is None or now - stamp > MAX_AGE


async def current(
    session: AsyncSession, target: Target, *, now: datetime, force: bool = False
) -> list[ReferenceRecord]:
    """The cached reference data, refreshed first when missing, stale or forced."""
    stamp = await refreshed_at(session, target.name)
    if force or is_stale(stamp, now):
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
