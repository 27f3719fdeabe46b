"""Recording connection health: buffered observations → ``connection_health`` rows + notices.

The worker calls ``flush`` after every work item and the scheduler after its jobs. A notice is
a durable ``notify`` work item (key ``notify:health:<id>``, data ``{"health_id": id}``), so
whoever tells people (Slack) reads the row's latest truth later, and a burst of notices for one
row coalesces into one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models_health import ConnectionHealth
from sync.engine import queue
from sync.health.rules import Condition, Health, Notice, conditions_of, step
from sync.health.signals import Observation
from sync.service import Service

log = structlog.get_logger("costbridge.health")


async def flush(svc: Service) -> None:
    """Record what the clients observed since the last flush; never raises for the database."""
    observations = svc.health.take()
    if not observations:
        return
    after = timedelta(minutes=svc.settings.rate_limit_alert_minutes)
    try:
        for attempt in range(2):  # a unique-key race with another worker: once more
            try:
                async with svc.sessions() as session, session.begin():
                    for obs in observations:
                        for condition in conditions_of(obs):
                            await _apply(session, obs, condition, after, now=svc.clock.now())
                return
            except IntegrityError:
                if attempt:
                    raise
    except SQLAlchemyError as exc:
        svc.health.give_back(observations)
        log.warning("health.record_failed", error=str(exc))


async def _apply(
    session: AsyncSession,
    obs: Observation,
    condition: Condition,
    after: timedelta,
    *,
    now: datetime,
) -> None:
    row = await row_for(session, obs.connection, condition)
    before = Health() if row is None else _health_of(row)
    health, notice = step(before, condition, obs, rate_limit_after=after)
    if health == before and notice is None:
        return  # the common case, a success on a healthy connection: no write at all
    if row is None:
        row = ConnectionHealth(connection=obs.connection, condition=condition, updated_at=now)
    row.state, row.since, row.last_seen = health.state, health.since, health.last_seen
    row.count, row.detail, row.notified_at = health.count, health.detail[:2000], health.notified_at
    row.updated_at = now
    if notice is not None:
        _note(row, notice, now)
    session.add(row)
    await session.flush()
    if notice is not None:
        assert row.id is not None
        await queue.enqueue(
            session,
            key=f"notify:health:{row.id}",
            kind="notify",
            data={"health_id": row.id},
            now=now,
        )
        log.warning(
            f"health.{notice}",
            connection=row.connection,
            condition=condition,
            count=row.count,
            detail=row.detail,
        )


def _note(row: ConnectionHealth, notice: Notice, now: datetime) -> None:
    row.revision += 1
    if notice == "open":
        row.episode += 1
        row.resolved_at = None
    elif notice == "resolve":
        row.resolved_at = now


def _health_of(row: ConnectionHealth) -> Health:
    return Health(
        state=row.state,
        since=row.since,
        last_seen=row.last_seen,
        count=row.count,
        detail=row.detail,
        notified_at=row.notified_at,
    )


async def row_for(
    session: AsyncSession, connection: str, condition: str
) -> ConnectionHealth | None:
    stmt = select(ConnectionHealth).where(
        col(ConnectionHealth.connection) == connection,
        col(ConnectionHealth.condition) == condition,
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def problems(session: AsyncSession) -> list[ConnectionHealth]:
    """Every connection condition that is alerting now (for status pages)."""
    stmt = (
        select(ConnectionHealth)
        .where(col(ConnectionHealth.state) == "open")
        .order_by(col(ConnectionHealth.connection), col(ConnectionHealth.condition))
    )
    return list((await session.execute(stmt)).scalars())
