"""target_links: the last document voided or deleted for a source document.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-15
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from db.types import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _s(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    # server defaults fill the rows already there; new rows get theirs from the model
    with op.batch_alter_table("target_links") as batch:
        batch.add_column(sa.Column("voided_kind", _s(32), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("voided_target_id", _s(64), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("voided_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("target_links") as batch:
        batch.drop_column("voided_at")
        batch.drop_column("voided_target_id")
        batch.drop_column("voided_kind")
