"""Connection health: one row per connection and condition, and where Slack was told.

``connection_health`` is the engine's durable memory of a problem that is not any one
document's (a refused token, a long rate limit, a silent Web Connector), so many failures
become one alert and a recovery can be noticed. ``slack_health_alerts`` only remembers where
that alert was posted (channel + ts) and which episode and revision it shows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime


def _utc(nullable: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable)


class ConnectionHealth(SQLModel, table=True):
    __tablename__ = "connection_health"
    __table_args__ = (UniqueConstraint("connection", "condition", name="uq_connection_health"),)

    id: int | None = Field(default=None, primary_key=True)
    connection: str = Field(max_length=64)  # procore | qbo | qbd:<company>
    condition: str = Field(max_length=32)  # auth | rate_limit | stale
    state: str = Field(default="ok", max_length=16)  # ok | pending | open
    since: datetime | None = Field(default=None, sa_column=_utc(True))  # this episode's start
    last_seen: datetime | None = Field(default=None, sa_column=_utc(True))
    count: int = 0  # failures seen in this episode
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))
    episode: int = 0  # grows each time an alert opens: a new episode is a new message
    revision: int = 0  # grows with every notice (open, update, resolve)
    notified_at: datetime | None = Field(default=None, sa_column=_utc(True))
    resolved_at: datetime | None = Field(default=None, sa_column=_utc(True))
    updated_at: datetime = Field(sa_column=_utc())


class SlackHealthAlert(SQLModel, table=True):
    __tablename__ = "slack_health_alerts"

    health_id: int = Field(primary_key=True, foreign_key="connection_health.id")
    episode: int
    revision: int  # the revision the message shows (older notices change nothing)
    channel: str = Field(max_length=64)
    ts: str = Field(max_length=32)
    resolved: bool = False
