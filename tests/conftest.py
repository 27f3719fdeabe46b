"""Shared fixtures: a migrated database per test (SQLite by default, PostgreSQL when asked)."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

import db.tables  # noqa: F401  (every table on the metadata)
from db.migrate import upgrade
from db.session import create_engine
from sync.clock import FrozenClock

BACKEND = os.environ.get("COSTBRIDGE_TEST_BACKEND", "sqlite")
PG_URL = os.environ.get("COSTBRIDGE_TEST_DATABASE_URL", "")
_pg_migrated = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "db_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


@pytest.fixture(autouse=True)
def _logging_as_it_was() -> Iterator[None]:
    """CLI commands configure logging onto the runner's stream, which closes after them: every
    test leaves logging (structlog and the root logger) as it found it, in any order."""
    saved_structlog, root = structlog.get_config(), logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    yield
    structlog.configure(**saved_structlog)
    root.handlers[:], root.level = saved_handlers, saved_level


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
async def db_url(tmp_path: Path) -> AsyncIterator[str]:
    """A migrated, empty database for one test."""
    global _pg_migrated
    if BACKEND == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()
        yield url
        return
    if not PG_URL:
        pytest.fail("COSTBRIDGE_TEST_BACKEND=postgresql needs COSTBRIDGE_TEST_DATABASE_URL")
    # An unreachable server fails the run (no skip): CI asked for PostgreSQL explicitly.
    engine = create_engine(PG_URL)
    try:
        if not _pg_migrated:
            async with engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
            await upgrade(engine)
            _pg_migrated = True
        await _truncate_all(engine)
    finally:
        await engine.dispose()
    yield PG_URL


async def _truncate_all(engine: AsyncEngine) -> None:
    names = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(db_url)
    yield eng
    await eng.dispose()
