"""The backend's own INSERT, which has ``ON CONFLICT`` (SQLite ≥ 3.24, PostgreSQL ≥ 9.5) and
``RETURNING`` (SQLite ≥ 3.35): writes that let a unique constraint decide, with no read first."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def insert(conn: AsyncConnection, table: Table) -> sqlite.Insert | postgresql.Insert:
    """``INSERT INTO table`` in the dialect of ``conn`` (SQLite or PostgreSQL)."""
    return insert_for(conn.dialect.name, table)


def insert_for(dialect: str, table: Table) -> sqlite.Insert | postgresql.Insert:
    """``INSERT INTO table`` for the dialect named ``dialect`` (``conn.dialect.name``): for a
    statement built once per dialect and reused (hot paths; it stays cached compiled)."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"no ON CONFLICT insert for {dialect!r}")
