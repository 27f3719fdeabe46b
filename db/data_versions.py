"""The stamps of the mapping inputs (``data_versions``): moved by every write, read by every
mapping, so a cache in any process knows whether what it holds is still what is stored.

A writer calls ``bump`` in its own transaction, beside the write: the stamp commits or rolls
back with it. A reader calls ``read`` for the names it needs, in one query.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from db.insert import insert
from db.models import DataVersion

RULES = "rules"
LINKS = "links"

# What a name has before its first write (no row yet): a stamp like any other.
UNWRITTEN = ""
_TABLE = SQLModel.metadata.tables[DataVersion.__tablename__]


def reference(target: str) -> str:
    """The name of a target's reference data (``reference:qbo``)."""
    return f"reference:{target}"


async def bump(session: AsyncSession, name: str) -> str:
    """Give ``name`` a new stamp in the session's transaction; returns it."""
    token = secrets.token_hex(16)
    # One statement, insert or update: two first writes at once must not collide on the key.
    stmt = insert(await session.connection(), _TABLE).values(name=name, version=1, token=token)
    stmt = stmt.on_conflict_do_update(
        index_elements=[_TABLE.c.name],
        set_={"version": _TABLE.c.version + 1, "token": token},
    )
    await session.execute(stmt)
    return token


async def read(session: AsyncSession, names: Iterable[str]) -> dict[str, str]:
    """The current stamp of each name (``UNWRITTEN`` for a name never written)."""
    wanted = list(names)
    rows = await session.execute(
        select(col(DataVersion.name), col(DataVersion.token)).where(
            col(DataVersion.name).in_(wanted)
        )
    )
    found = {str(name): str(token) for name, token in rows.all()}
    return {name: found.get(name, UNWRITTEN) for name in wanted}
