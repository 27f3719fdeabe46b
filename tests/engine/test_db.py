"""The schema, URLs and UTC columns behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import InboxEvent
from db.session import async_url, session_factory


def test_plain_urls_get_async_drivers() -> None:
    assert str(async_url("sqlite:///var/x.db")) == "sqlite+aiosqlite:///var/x.db"
    assert async_url("postgresql://u@h/db").drivername == "postgresql+asyncpg"
    assert async_url("postgres://u@h:5433/db").drivername == "postgresql+asyncpg"
    assert async_url("postgres://u@h:5433/db").port == 5433
    with pytest.raises(ValueError, match="unsupported"):
        async_url("mysql://u@h/db")


async def test_inbox_is_unique_per_source_key_and_times_stay_utc(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    at = datetime(2026, 3, 4, 10, 0, tzinfo=timezone(timedelta(hours=-8)))
    async with sessions() as session, session.begin():
        session.add(
            InboxEvent(
                source="procore",
                event_key="01ABC",
                resource_name="X",
                resource_id="1",
                event_type="update",
                received_at=at,
            )
        )
    async with sessions() as session:
        row = await session.get(InboxEvent, 1)
        assert row is not None
        assert row.received_at == at
        assert row.received_at.tzinfo is not None
        assert row.received_at.utcoffset() == timedelta(0)
        assert row.received_at.hour == 18
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            session.add(
                InboxEvent(
                    source="procore",
                    event_key="01ABC",
                    resource_name="X",
                    resource_id="1",
                    event_type="update",
                    received_at=datetime.now(UTC),
                )
            )
