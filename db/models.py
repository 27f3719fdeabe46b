"""The tables. Each one holds one idea; the engine's state lives here, nothing in memory.

Money is stored as text (exact decimal strings) so SQLite and PostgreSQL agree to the cent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime


def _utc(nullable: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable)


class InboxEvent(SQLModel, table=True):
    """A webhook delivery or sweep finding, stored before it is acknowledged."""

    __tablename__ = "inbox_events"
    __table_args__ = (UniqueConstraint("source", "event_key", name="uq_inbox_source_key"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=32)
    event_key: str = Field(max_length=128)
    resource_name: str = Field(max_length=128)
    resource_id: str = Field(max_length=64)
    event_type: str = Field(max_length=32)
    company_id: str = Field(default="", max_length=64)
    project_id: str = Field(default="", max_length=64)
    payload: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    received_at: datetime = Field(sa_column=_utc())
    processed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    outcome: str = Field(default="received", max_length=32)


class WorkItem(SQLModel, table=True):
    """The durable work queue: one row per thing to do, reused when the same thing recurs.

    ``key`` is ``event:<inbox id>`` or ``sync:<source>:<kind>:<id>``. Re-enqueuing an existing key
    moves it back to ``queued`` instead of adding a row, so a burst of webhooks for one change
    order becomes one unit of work.
    """

    __tablename__ = "work_items"
    __table_args__ = (
        UniqueConstraint("key", name="uq_work_key"),
        Index("ix_work_claim", "state", "run_after"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160)
    kind: str = Field(max_length=16)  # event | sync
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    attempts: int = 0
    state: str = Field(default="queued", max_length=16)  # queued | running | done
    run_after: datetime = Field(sa_column=_utc())
    lease_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    leased_by: str = Field(default="", max_length=64)
    requeue: bool = False  # set when new work arrives while the item is running
    updated_at: datetime = Field(sa_column=_utc())


class SourceDocumentRow(SQLModel, table=True):
    """A document in the source system (a change order), across all its versions."""

    __tablename__ = "source_documents"
    __table_args__ = (UniqueConstraint("source", "kind", "external_id", name="uq_source_document"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=32)
    kind: str = Field(max_length=48)
    external_id: str = Field(max_length=64)
    project_id: str = Field(max_length=64)
    number: str = Field(default="", max_length=64)
    title: str = Field(default="", max_length=512)
    counterparty: str = Field(default="", max_length=256)
    url: str = Field(default="", max_length=1024)
    # A commitment change order's commitment (its source id): who waits for whom (amend mode).
    contract_id: str = Field(default="", max_length=64)
    current_version_id: int | None = None
    created_at: datetime = Field(sa_column=_utc())
    updated_at: datetime = Field(sa_column=_utc())


class DocumentVersion(SQLModel, table=True):
    """One version of a source document (by content hash) and where it is in the pipeline."""

    __tablename__ = "document_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "content_hash", name="uq_version_hash"),
        Index("ix_version_state", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="source_documents.id")
    content_hash: str = Field(max_length=64)
    payload: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    source_status: str = Field(default="", max_length=32)
    approved: bool = False  # whether the source had it approved/executed (not only its word)
    total: str = Field(default="0", max_length=32)
    line_count: int = 0
    state: str = Field(default="fetched", max_length=24)
    reasons: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False))
    outcome_unknown: bool = False
    created_at: datetime = Field(sa_column=_utc())
    updated_at: datetime = Field(sa_column=_utc())


class HistoryEntry(SQLModel, table=True):
    """Every state transition and attempt, with its cause and actor: the audit of a document."""

    __tablename__ = "history"
    __table_args__ = (Index("ix_history_document", "document_id"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="source_documents.id")
    version_id: int | None = Field(default=None, foreign_key="document_versions.id")
    from_state: str = Field(default="", max_length=24)
    to_state: str = Field(max_length=24)
    cause: str = Field(max_length=64)
    actor: str = Field(default="system", max_length=128)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))
    at: datetime = Field(sa_column=_utc())


class DeadLetter(SQLModel, table=True):
    """A document version whose retries ran out: payload and error kept for replay."""

    __tablename__ = "dead_letters"

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(
        max_length=160
    )  # the work key, e.g. sync:procore:commitment_change_order:7
    document_id: int | None = Field(default=None, foreign_key="source_documents.id")
    version_id: int | None = Field(default=None, foreign_key="document_versions.id")
    payload: str = Field(sa_column=Column(Text, nullable=False))
    error: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=_utc())
    replayed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class TargetLink(SQLModel, table=True):
    """Source document ↔ the target document written for it."""

    __tablename__ = "target_links"
    __table_args__ = (UniqueConstraint("document_id", "target", name="uq_target_link"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="source_documents.id")
    target: str = Field(max_length=32)
    target_kind: str = Field(max_length=32)
    target_id: str = Field(max_length=64)
    sync_token: str = Field(default="", max_length=32)
    doc_number: str = Field(default="", max_length=64)
    total: str = Field(default="0", max_length=32)
    posted_version_id: int | None = Field(default=None, foreign_key="document_versions.id")
    posted_hash: str = Field(default="", max_length=64)
    voided: bool = False
    # The last document voided or deleted for this source document (its kind, id and when),
    # kept after a replacement is linked (a change order whose sign flipped became the other
    # kind): the link says what happened to the document it no longer holds.
    voided_kind: str = Field(default="", max_length=32)
    voided_target_id: str = Field(default="", max_length=64)
    voided_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # Every document voided or deleted for this source document (JSON list of kind, id, at):
    # a document re-approved after a void is a new one, numbered apart (sync.engine.reissue).
    voided_history: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    # What costbridge owns in the target document (sync.engine.ownership): the lines it wrote
    # (source line id → target line id, JSON) and the owned fields as its last write left them
    # (JSON), to tell a bookkeeper's edit from our own before an update.
    line_ids: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    owned_fields: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    # A person chose Procore's version over edits made in QuickBooks: the next write overwrites.
    overwrite_next: bool = False
    # A person kept QuickBooks' version: costbridge no longer writes this document.
    detached_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # A commitment change order in `amend` mode: its lines live on this commitment's
    # purchase order (target_id is that PO's id, shared with the commitment's own link).
    amends_document_id: int | None = Field(default=None, foreign_key="source_documents.id")
    updated_at: datetime = Field(sa_column=_utc())


class EntityLink(SQLModel, table=True):
    """Source entity ↔ target entity: Procore project ↔ customer:job, vendor ↔ vendor."""

    __tablename__ = "entity_links"
    __table_args__ = (
        UniqueConstraint("source", "source_kind", "source_id", "target", name="uq_entity_link"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=32)
    source_kind: str = Field(max_length=32)  # project | vendor
    source_id: str = Field(max_length=64)
    target: str = Field(max_length=32)
    target_id: str = Field(max_length=64)
    target_name: str = Field(default="", max_length=512)
    author: str = Field(default="system", max_length=128)
    created_at: datetime = Field(sa_column=_utc())


class MappingRuleRow(SQLModel, table=True):
    """A mapping rule; conditions and outputs are the JSON of ``mappings`` models."""

    __tablename__ = "mapping_rules"

    id: int | None = Field(default=None, primary_key=True)
    conditions: str = Field(sa_column=Column(Text, nullable=False))
    outputs: str = Field(sa_column=Column(Text, nullable=False))
    priority: int | None = None
    active: bool = True
    author: str = Field(default="system", max_length=128)
    origin: str = Field(default="api", max_length=16)
    version: int = 1
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=_utc())
    updated_at: datetime = Field(sa_column=_utc())


class MappingRuleVersion(SQLModel, table=True):
    """Every saved version of a rule: who changed what, when."""

    __tablename__ = "mapping_rule_versions"

    id: int | None = Field(default=None, primary_key=True)
    rule_id: int = Field(foreign_key="mapping_rules.id")
    version: int
    conditions: str = Field(sa_column=Column(Text, nullable=False))
    outputs: str = Field(sa_column=Column(Text, nullable=False))
    priority: int | None = None
    active: bool = True
    author: str = Field(max_length=128)
    at: datetime = Field(sa_column=_utc())


class AuditEntry(SQLModel, table=True):
    """Who did what to configuration or documents (rules, links, retries, skips)."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_utc())
    actor: str = Field(max_length=128)
    action: str = Field(max_length=64)
    subject: str = Field(max_length=256)
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class OAuthToken(SQLModel, table=True):
    """OAuth tokens per provider and account, encrypted at rest (never in clear)."""

    __tablename__ = "oauth_tokens"
    __table_args__ = (UniqueConstraint("provider", "account", name="uq_oauth_account"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=32)
    account: str = Field(max_length=64)
    access_token_enc: str = Field(sa_column=Column(Text, nullable=False))
    refresh_token_enc: str = Field(sa_column=Column(Text, nullable=False))
    access_expires_at: datetime = Field(sa_column=_utc())
    refresh_expires_at: datetime = Field(sa_column=_utc())
    # sha256 of the configured initial refresh token these tokens descend from: a different
    # configured token means the company was reconnected, so the stored pair is obsolete.
    seed_hash: str = Field(default="", max_length=64)
    updated_at: datetime = Field(sa_column=_utc())


class ReferenceEntry(SQLModel, table=True):
    """The target's cached reference data (chart of accounts, vendors, customers:jobs, ...)."""

    __tablename__ = "reference_cache"
    __table_args__ = (UniqueConstraint("target", "kind", "ext_id", name="uq_reference"),)

    id: int | None = Field(default=None, primary_key=True)
    target: str = Field(max_length=32)
    kind: str = Field(max_length=16)
    ext_id: str = Field(max_length=64)
    name: str = Field(max_length=512)
    number: str = Field(default="", max_length=32)
    type: str = Field(default="", max_length=64)
    active: bool = True
    parent_id: str = Field(default="", max_length=64)
    refreshed_at: datetime = Field(sa_column=_utc())


class Cursor(SQLModel, table=True):
    """Named high-water marks (e.g. when the reconciliation sweep last ran)."""

    __tablename__ = "cursors"

    name: str = Field(primary_key=True, max_length=64)
    value: datetime = Field(sa_column=_utc())


class Control(SQLModel, table=True):
    """Runtime switches shared by all workers (e.g. paused)."""

    __tablename__ = "controls"

    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="", max_length=256)


class DataVersion(SQLModel, table=True):
    """A stamp per kind of mapping input (``rules``, ``links``, ``reference:<target>``), moved in
    the same transaction by every write of that input (``db.data_versions.bump``).

    Each process keeps the parsed inputs in memory keyed by the stamp, and reads the stamp on
    every mapping, so a write by any process invalidates every cache. ``token`` is new on every
    bump: a number alone would repeat after a rolled-back write (the same number committed later
    by another write), and a cache filled inside the rolled-back transaction would then lie.
    """

    __tablename__ = "data_versions"

    name: str = Field(primary_key=True, max_length=64)
    version: int = 0  # how many writes: for people reading the table
    token: str = Field(default="", max_length=32)
