"""data_versions: a stamp per kind of mapping input (rules, links, reference data), moved by
every write, so each process can cache the parsed inputs and still see another's writes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _s(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    # No rows: a missing row is a stamp of its own, and the first write inserts it.
    op.create_table(
        "data_versions",
        sa.Column("name", _s(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("token", _s(32), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("data_versions")
