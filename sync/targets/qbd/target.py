"""QuickBooks Desktop as a costbridge Target (sync.targets.base.Target).

Nothing here talks to QuickBooks: writes go into the company file's request queue and end in
``OutcomeToFollow``; the Web Connector carries them on its next poll and the answer reaches
the engine through ``sync.engine.outcomes`` (see ``exchange.py``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from db.models import DocumentVersion, SourceDocumentRow, TargetLink
from db.models_qbd import QbdCompanyFile
from sync.clock import Clock
from sync.engine.posting import find_link
from sync.engine.routes import KIND_OF_SHORT, document_key
from sync.errors import FatalError, SystemAwayError
from sync.models import (
    DocumentKind,
    MappedDocument,
    PostedRef,
    ReferenceKind,
    ReferenceRecord,
    TargetDocument,
    TargetKind,
)
from sync.settings import Settings
from sync.targets.base import OutcomeToFollow, Ownership, PartyRequest
from sync.targets.qbd import lists, outbox, parties, refresh
from sync.targets.qbd.build import build_document
from sync.targets.qbd.company import by_name, ensure_configured, target_name
from sync.targets.qbd.requests import PARTY_TAG, VOIDABLE


class QbdTarget:
    # A commitment change order's lines go onto its commitment's purchase order: a header-less
    # PurchaseOrderMod planned when the Web Connector polls (sync.targets.qbd.exchange).
    amends = True

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.settings = settings
        self.name = target_name(settings.qbd_company)

    async def _company(self, session: AsyncSession, now: datetime) -> QbdCompanyFile:
        company = await ensure_configured(session, self.settings, now=now)
        if company is None:
            raise FatalError(
                f"QuickBooks Desktop company file '{self.settings.qbd_company}' is not "
                "configured: set COSTBRIDGE_QBD_PASSWORD (see docs/qbd.md)",
                system="qbd",
            )
        return company

    async def load_reference_data(self, kinds: set[ReferenceKind]) -> list[ReferenceRecord]:
        """What the Web Connector last reported (it re-reads stale lists on every run).

        Read-only on the normal path: the pipeline calls this inside its own transaction, and
        a write here could conflict with it. Before the first report there is nothing to map
        against: QuickBooks Desktop is away, a wait that spends no attempt (SystemAwayError);
        the read is queued for the next poll, and its answer wakes the waiting documents.
        """
        async with self.sessions() as session:
            company = await by_name(session, self.settings.qbd_company)
            if company is not None and company.lists_refreshed_at is not None:
                assert company.id is not None
                return await lists.load(session, company.id, kinds)
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            company = await self._company(session, now)
            assert company.id is not None
            max_age = timedelta(minutes=self.settings.qbd_list_refresh_minutes)
            await refresh.queue_due(session, company.id, now=now, max_age=max_age)
        raise SystemAwayError(
            "waiting for QuickBooks Desktop to connect: the Web Connector has not read the "
            f"company file '{self.settings.qbd_company}' yet",
            system="qbd",
            retry_after=60.0 * self.settings.qbd_run_every_minutes,
        )

    def build(self, mapped: MappedDocument, kind: TargetKind, key: str) -> TargetDocument:
        return build_document(mapped, kind, key)

    async def find(self, document: TargetDocument) -> PostedRef | None:
        """Nothing to find synchronously. Every Desktop write goes through our own queue,
        which knows which sends were never answered and looks those up in QuickBooks
        (RefNumber + party, memo marker) before adding anything."""
        return None

    async def create(self, document: TargetDocument, request_id: str) -> PostedRef:
        await self._enqueue(document)
        raise AssertionError("unreachable")  # _enqueue always raises OutcomeToFollow

    async def update(
        self,
        document: TargetDocument,
        existing: PostedRef,
        request_id: str,
        ownership: Ownership,
    ) -> PostedRef:
        # Add or Mod is decided when the request is sent (the link, and its EditSequence,
        # may change before the Web Connector comes); the queue row is the same either way.
        # Owning no header: a change order amending its commitment's purchase order.
        await self._enqueue(document, amends=None if ownership.header else existing)
        raise AssertionError("unreachable")

    async def void(self, existing: PostedRef, request_id: str) -> None:
        """Queue a TxnVoidRq (invoices, bills, credits) or a TxnDelRq (purchase orders,
        estimates: QuickBooks cannot void them), then ``OutcomeToFollow``.

        Like every Desktop write it goes through the company file's queue: queued once (a
        re-run finds the open row), sent when the Web Connector comes, and its answer marks
        the link voided (``exchange.py``). A void whose answer never came reads the
        transaction before sending again, so QuickBooks never voids it twice.
        """
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            company = await self._company(session, now)
            assert company.id is not None
            key, doc_row, version_id = await _document_of(session, self.name, existing)
            row = await outbox.enqueue_void(
                session,
                company.id,
                subject=key,
                kind=existing.kind.value,
                txn_id=existing.id,
                document_id=doc_row,
                version_id=version_id,
                now=now,
            )
        verb = "TxnVoidRq" if existing.kind in VOIDABLE else "TxnDelRq"
        raise OutcomeToFollow(
            f"{verb} of {existing.kind.value} {existing.doc_number or existing.id} queued for "
            f"the Web Connector ({self.name}, request {row.id})"
        )

    async def remove_lines(
        self, existing: PostedRef, ownership: Ownership, request_id: str, document_key: str
    ) -> PostedRef:
        """Queue the removal of a change order's lines from its commitment's purchase order
        (a void row: ``exchange.py`` reads the purchase order, then Mods it without them),
        then ``OutcomeToFollow``."""
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            company = await self._company(session, now)
            assert company.id is not None
            doc_row, version_id, _ = await _current_version(session, document_key)
            link = await find_link(session, doc_row, self.name)
            if link is None or link.amends_document_id is None:
                raise FatalError(
                    f"{document_key} did not add lines to another document: nothing to remove",
                    system="qbd",
                )
            row = await outbox.enqueue_void(
                session,
                company.id,
                subject=document_key,
                kind=existing.kind.value,
                txn_id=existing.id,
                document_id=doc_row,
                version_id=version_id,
                now=now,
                amends_document_id=link.amends_document_id,
            )
        raise OutcomeToFollow(
            f"removal of its lines from {existing.kind.value} {existing.doc_number or existing.id}"
            f" queued for the Web Connector ({self.name}, request {row.id})"
        )

    async def create_party(self, request: PartyRequest) -> ReferenceRecord:
        """From the mirror when QuickBooks already has it; else a queued Vendor/CustomerAdd.

        The name is fitted first (Latin-1, QuickBooks' length): the same name is looked up,
        added, linked and answered, whatever the source called it."""
        now = self.clock.now()
        request, warnings = parties.fitted(request)
        async with self.sessions() as session, session.begin():
            company = await self._company(session, now)
            assert company.id is not None
            found = await parties.held(session, company.id, request)
            if found is not None:
                return found
            row_id = await parties.enqueue(session, company.id, request, now=now)
        tag = "CustomerAdd" if request.kind is ReferenceKind.CUSTOMER else "VendorAdd"
        detail = f"{tag} “{request.name}” queued for the Web Connector ({self.name}, "
        detail += f"request {row_id})"
        if warnings:
            detail += "; name fitted: " + "; ".join(warnings)
        raise OutcomeToFollow(detail)

    async def _enqueue(self, document: TargetDocument, amends: PostedRef | None = None) -> None:
        now = self.clock.now()
        key = document.marker.split(":", 1)[1]
        async with self.sessions() as session, session.begin():
            company = await self._company(session, now)
            assert company.id is not None
            doc_row, version_id, content_hash = await _current_version(session, key)
            commitment = await _owner_of(session, self.name, amends) if amends else None
            row = await outbox.enqueue_document(
                session,
                company.id,
                subject=key,
                document=document,
                document_id=doc_row,
                version_id=version_id,
                content_hash=content_hash,
                now=now,
                amends_document_id=commitment.document_id if commitment else None,
            )
        if amends is not None:
            detail = (
                f"queued for the Web Connector ({self.name}, request {row.id}): its lines onto "
                f"{amends.kind.value} {amends.doc_number or amends.id}"
            )
        else:
            party = PARTY_TAG[document.kind].removesuffix("Ref").lower()
            detail = (
                f"queued for the Web Connector ({self.name}, request {row.id}): "
                f"{document.kind.value} {document.doc_number} to {party} {document.body['party']}"
            )
        if document.notes:
            detail += "; text fitted: " + "; ".join(document.notes)
        raise OutcomeToFollow(detail)


async def _owner_of(session: AsyncSession, target: str, existing: PostedRef) -> TargetLink:
    """The link of the document that wrote the transaction (a commitment's purchase order is
    also held by the links of the change orders that amend it: those own only lines)."""
    stmt = select(TargetLink).where(
        col(TargetLink.target) == target,
        col(TargetLink.target_id) == existing.id,
        col(TargetLink.amends_document_id).is_(None),
    )
    link = (await session.execute(stmt)).scalars().first()
    if link is None:
        raise FatalError(
            f"{existing.kind.value} {existing.id} is not linked to any document here: "
            "costbridge only changes what it wrote",
            system="qbd",
        )
    return link


async def _document_of(
    session: AsyncSession, target: str, existing: PostedRef
) -> tuple[str, int, int]:
    """The document key, document and current version a linked transaction belongs to.

    Only a transaction some document's link holds can be voided through here: never one
    costbridge did not write.
    """
    link = await _owner_of(session, target, existing)
    row = await session.get(SourceDocumentRow, link.document_id)
    assert row is not None and row.id is not None and row.current_version_id is not None
    key = document_key(row.source, DocumentKind(row.kind), row.external_id)
    return key, row.id, row.current_version_id


async def _current_version(session: AsyncSession, key: str) -> tuple[int, int, str]:
    """The document and version being posted, from the document key in the marker.

    The Target interface hands over the built document only; the pipeline posts a document's
    current version, one worker at a time, so the key leads to exactly that version.
    """
    source, short, external_id = key.split("-", 2)
    stmt = select(SourceDocumentRow).where(
        col(SourceDocumentRow.source) == source,
        col(SourceDocumentRow.kind) == KIND_OF_SHORT[short].value,
        col(SourceDocumentRow.external_id) == external_id,
    )
    row = (await session.execute(stmt)).scalar_one()
    version = await session.get(DocumentVersion, row.current_version_id)
    assert row.id is not None and version is not None and version.id is not None
    return row.id, version.id, version.content_hash
