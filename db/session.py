"""Engines and sessions: plain database URLs in, the right async driver out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def async_url(plain: str) -> URL:
    """Turn the URL a user writes into one with an async driver.

    ``sqlite:///var/x.db`` → ``sqlite+aiosqlite:///var/x.db``;
    ``postgresql://u@h/db`` or ``postgres://...`` → ``postgresql+asyncpg://...``.
    """
    if plain.startswith("postgres://"):
        plain = "postgresql://" + plain[len("postgres://") :]
    url = make_url(plain)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return url.set(drivername="sqlite+aiosqlite")
    if backend == "postgresql":
        return url.set(drivername="postgresql+asyncpg")
    raise ValueError(
        f"unsupported database URL scheme {url.drivername!r}: use sqlite or postgresql"
    )


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the writer; busy_timeout waits for the lock instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Every commit is fsynced (WAL included), so what is acknowledged survives a power loss,
    # not only a crash of the process. FULL is SQLite's default: said here so it stays so.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_engine(plain_url: str) -> AsyncEngine:
    """An async engine for a plain URL; creates the SQLite file's folder when needed."""
    url = async_url(plain_url)
    kwargs: dict[str, Any] = {}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    else:
        # No pre-ping: it costs a round trip on every checkout, on the webhook's hot path too.
        # A connection that died (server restart) fails the one statement that meets it; the
        # pool then drops it with the others of its generation, and the request or work item
        # is retried (a webhook answers 503 and Procore delivers it again). Recycling bounds
        # how long an idle connection is trusted (firewalls drop silent ones).
        kwargs.update(pool_size=5, max_overflow=5, pool_recycle=1800)
    engine = create_async_engine(url, **kwargs)
    if url.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
