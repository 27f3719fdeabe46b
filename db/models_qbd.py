"""Tables of the QuickBooks Desktop side (company files, qbXML request queue, sessions).

The Web Connector polls us; everything it needs between two polls (which request was sent in
which session, what QuickBooks answered, the lists it reported) lives here, never in memory,
so any process can answer the next SOAP call and a restart loses nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime


def _utc(nullable: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable)


class QbdCompanyFile(SQLModel, table=True):
    """One QuickBooks company file: a target with its own Web Connector user."""

    __tablename__ = "qbd_company_files"
    __table_args__ = (
        UniqueConstraint("name", name="uq_qbd_company_name"),
        UniqueConstraint("username", name="uq_qbd_company_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=28)  # the target is "qbd:<name>" (target columns hold 32)
    username: str = Field(max_length=64)
    password_hash: str = Field(max_length=256)  # scrypt, see sync.targets.qbd.passwords
    owner_id: str = Field(max_length=38)  # {GUID}: one per application
    file_id: str = Field(max_length=38)  # {GUID}: one per company file
    company_path: str = Field(default="", max_length=512)  # "" = the file open in QuickBooks
    last_poll_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False))
    lists_refreshed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    created_at: datetime = Field(sa_column=_utc())
    updated_at: datetime = Field(sa_column=_utc())


class QbdSession(SQLModel, table=True):
    """One Web Connector update session, from authenticate to closeConnection (or expiry)."""

    __tablename__ = "qbd_sessions"
    __table_args__ = (Index("ix_qbd_session_company", "company_file_id", "state"),)

    ticket: str = Field(primary_key=True, max_length=64)
    company_file_id: int = Field(foreign_key="qbd_company_files.id")
    state: str = Field(default="open", max_length=16)  # open | closed | superseded | none
    created_at: datetime = Field(sa_column=_utc())
    expires_at: datetime = Field(sa_column=_utc())
    last_seen_at: datetime = Field(sa_column=_utc())
    done: int = 0  # requests answered in this session (for the percent done)
    noops: int = 0  # times getLastError asked the Web Connector to wait and ask again
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False))
    host_info: str = Field(default="", sa_column=Column(Text, nullable=False))
    company_reported: str = Field(default="", max_length=512)


class QbdRequest(SQLModel, table=True):
    """One unit of work for one company file: a document to write, a list to read or add.

    The qbXML is built when the request is *sent*, from what the database knows at that
    moment (a link already there makes an Add a Mod; an unanswered earlier send makes it a
    query first), so a queued row never carries a stale EditSequence.
    """

    __tablename__ = "qbd_requests"
    __table_args__ = (
        Index("ix_qbd_request_next", "company_file_id", "state", "priority"),
        Index("ix_qbd_request_subject", "company_file_id", "subject"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_file_id: int = Field(foreign_key="qbd_company_files.id")
    subject: str = Field(max_length=200)  # document key, "list:<kind>", "customer:<name>"
    kind: str = Field(max_length=16)  # txn | list_query | list_add
    priority: int = 2  # lists first (0), names (1), then documents (2)
    target_kind: str = Field(default="", max_length=32)  # PurchaseOrder, account, Customer...
    document_id: int | None = Field(default=None, foreign_key="source_documents.id")
    version_id: int | None = Field(default=None, foreign_key="document_versions.id")
    content_hash: str = Field(default="", max_length=64)
    body: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    state: str = Field(default="queued", max_length=16)
    step: str = Field(default="", max_length=16)  # what was sent last: add|verify|mod|refresh|query
    verify: bool = False  # an earlier send was never answered: look before adding
    txn_id: str = Field(default="", max_length=64)
    edit_sequence: str = Field(default="", max_length=32)
    iterator_id: str = Field(default="", max_length=64)
    run_id: str = Field(default="", max_length=64)  # one list refresh, across iterator pages
    ticket: str = Field(default="", max_length=64)
    request_id: str = Field(default="", max_length=32)
    attempts: int = 0
    # Not sent again before this time, nor in the session that was told to wait (3180).
    retry_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # A Mod's lines planned from the transaction as read just before (sync.targets.qbd.sparse)
    merge: str = Field(default="", sa_column=Column(Text, nullable=False))
    # A commitment change order whose lines go onto this commitment's purchase order
    # (sync.engine.amend): the Mod names only its lines, never the header.
    amends_document_id: int | None = Field(default=None, foreign_key="source_documents.id")
    last_status: str = Field(default="", max_length=16)
    last_message: str = Field(default="", sa_column=Column(Text, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    created_at: datetime = Field(sa_column=_utc())
    updated_at: datetime = Field(sa_column=_utc())


class QbdListRead(SQLModel, table=True):
    """When each list of a company file was last read completely, recorded list by list so a
    refresh cut short resumes with the lists it had not finished."""

    __tablename__ = "qbd_list_reads"

    company_file_id: int = Field(foreign_key="qbd_company_files.id", primary_key=True)
    kind: str = Field(max_length=16, primary_key=True)  # account | vendor | customer | ...
    read_at: datetime = Field(sa_column=_utc())


class QbdListRecord(SQLModel, table=True):
    """A row of a company file's lists as QuickBooks last reported it (the reference mirror)."""

    __tablename__ = "qbd_list_records"
    __table_args__ = (
        UniqueConstraint("company_file_id", "kind", "list_id", name="uq_qbd_list_record"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_file_id: int = Field(foreign_key="qbd_company_files.id")
    kind: str = Field(max_length=16)  # account | vendor | customer | item | class
    list_id: str = Field(max_length=64)
    full_name: str = Field(max_length=512)
    number: str = Field(default="", max_length=32)
    type: str = Field(default="", max_length=64)
    active: bool = True
    parent_id: str = Field(default="", max_length=64)
    edit_sequence: str = Field(default="", max_length=32)
    run_id: str = Field(default="", max_length=64)
    seen_at: datetime = Field(sa_column=_utc())
