"""Tables of the Slack side: messages posted per document, alert roll-ups, processed ids.

Slack is a surface, not a store of truth: these rows only remember *where* we told people
something (channel + ts, to edit it in place) and what we already handled (idempotency).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime


def _utc(nullable: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable)


class SlackMessage(SQLModel, table=True):
    """One message per document and purpose (``attention`` or ``alert``), edited in place.

    ``revision`` grows on every edit; a button carries the revision it was rendered with, so
    a click on an outdated message, a double click or two people at once is one conditional
    ``UPDATE ... WHERE revision = :seen AND state = 'open'`` with exactly one winner.
    """

    __tablename__ = "slack_messages"
    __table_args__ = (UniqueConstraint("document_id", "purpose", name="uq_slack_message"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="source_documents.id")
    purpose: str = Field(max_length=16)  # attention | alert
    channel: str = Field(max_length=64)
    ts: str = Field(max_length=32)
    version_id: int | None = None  # the version the message shows
    state: str = Field(default="open", max_length=16)  # open | applying | resolved
    revision: int = 1
    actor: str = Field(default="", max_length=64)  # the Slack user who acted last
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))  # what they chose
    # The header as first shown (project name, vendor...): payloads are purged once posted.
    doc_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    rollup_id: int | None = None  # an alert shown inside a roll-up message
    created_at: datetime = Field(sa_column=_utc())
    updated_at: datetime = Field(sa_column=_utc())


class SlackRollup(SQLModel, table=True):
    """Failures with one cause (``qbo 503``) reported in one message, edited as they grow."""

    __tablename__ = "slack_rollups"
    __table_args__ = (Index("ix_slack_rollup_cause", "cause"),)

    id: int | None = Field(default=None, primary_key=True)
    cause: str = Field(max_length=128)
    title: str = Field(default="", sa_column=Column(Text, nullable=False))
    channel: str = Field(max_length=64)
    ts: str = Field(max_length=32)
    document_ids: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    first_at: datetime = Field(sa_column=_utc())
    last_at: datetime = Field(sa_column=_utc())


class SlackProcessed(SQLModel, table=True):
    """Slack deliveries already handled (event ids, action ids): retries change nothing."""

    __tablename__ = "slack_processed"
    __table_args__ = (UniqueConstraint("key", name="uq_slack_processed"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=255)
    at: datetime = Field(sa_column=_utc())


class SlackHomeViewer(SQLModel, table=True):
    """Who opened the App Home, so it is re-published when something changes."""

    __tablename__ = "slack_home_viewers"

    user_id: str = Field(primary_key=True, max_length=32)
    opened_at: datetime = Field(sa_column=_utc())
