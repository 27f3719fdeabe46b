"""Writing a mapped document to the target exactly once.

The idempotency key of a write is derived from the document and its version, never random: a
replay of the same write carries the same ``requestid``. After an outcome we could not see
(timeout, 5xx, dropped connection) the target is searched for the document before any re-create.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models import TargetLink
from sync.models import MappedDocument, PostedRef, TargetDocument, TargetKind
from sync.targets.base import Ownership, Target


def request_id(target_account: str, document_key: str, content_hash: str, operation: str) -> str:
    """Deterministic, ≤ 50 characters (QuickBooks' limit)."""
    raw = f"{target_account}|{document_key}|{content_hash}|{operation}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class PostResult:
    posted: PostedRef
    operation: str  # created | updated | found | unchanged | amended
    notes: tuple[str, ...] = ()  # what the target document had to be fitted to (history)
    # amended: the commitment whose purchase order holds this change order's lines, and the
    # change order's own share of that document's total
    amends_document_id: int | None = None
    share: Decimal | None = None


async def find_link(session: AsyncSession, document_id: int, target: str) -> TargetLink | None:
    stmt = select(TargetLink).where(
        col(TargetLink.document_id) == document_id, col(TargetLink.target) == target
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def post_document(
    target: Target,
    mapped: MappedDocument,
    *,
    kind: TargetKind,
    document_key: str,
    content_hash: str,
    target_account: str,
    link: TargetLink | None,
    look_first: bool,
    amend: TargetLink | None = None,
) -> PostResult:
    """Create or update the target document for this version; never duplicate it.

    ``amend``: the commitment's live link: this change order's lines go onto that purchase
    order (``sync.engine.amend``) instead of a document of its own.
    """
    document = target.build(mapped, kind, document_key)
    if amend is not None:
        return await _amend(
            target, document, mapped, document_key, content_hash, target_account, link, amend
        )
    # A link to a document of another kind (the sign flipped: sync.engine.replace voids it
    # first, or queues its void ahead of this write) is never updated into this one.
    if link is not None and not link.voided and link.target_kind == kind.value:
        if link.posted_hash == content_hash:
            return PostResult(posted_from(link), "unchanged")
        existing = posted_from(link)
        rid = request_id(target_account, document_key, content_hash, "update")
        updated = await target.update(document, existing, rid, ownership_of(link))
        return PostResult(updated, "updated", document.notes)
    if look_first:
        found = await target.find(document)
        if found is not None:
            # It may hold an older version's content (the write we lost may predate this
            # version), so bring it up to date rather than trusting it: costbridge wrote all
            # of it, so all of it is adopted as ours.
            rid = request_id(target_account, document_key, content_hash, "update")
            updated = await target.update(document, found, rid, Ownership())
            return PostResult(updated, "found", document.notes)
    # A document re-issued after a void may carry the very content of the voided one's create:
    # its own request id, or QuickBooks would answer the voided document's create again.
    operation = f"create-r{mapped.reissue}" if mapped.reissue else "create"
    rid = request_id(target_account, document_key, content_hash, operation)
    return PostResult(await target.create(document, rid), "created", document.notes)


async def _amend(
    target: Target,
    document: TargetDocument,
    mapped: MappedDocument,
    document_key: str,
    content_hash: str,
    target_account: str,
    link: TargetLink | None,
    commitment: TargetLink,
) -> PostResult:
    """This change order's lines onto the commitment's purchase order, and only those."""
    mine = (
        link
        if link is not None
        and not link.voided
        and link.amends_document_id == commitment.document_id
        and link.target_id == commitment.target_id
        else None
    )
    share = mapped.total
    if mine is not None and mine.posted_hash == content_hash:
        return PostResult(posted_from(mine), "unchanged", (), commitment.document_id, share)
    # First time: the PO as the commitment's link knows it; no lines of ours on it yet (a lost
    # answer is recognised by the lines' tags).
    existing = (
        posted_from(mine)
        if mine is not None
        else posted_from(commitment).model_copy(update={"sync_token": ""})
    )
    ownership = ownership_of(mine) if mine is not None else Ownership(header=False)
    rid = request_id(target_account, document_key, content_hash, "amend")
    updated = await target.update(document, existing, rid, ownership)
    return PostResult(updated, "amended", document.notes, commitment.document_id, share)


def reissue_of(link: TargetLink | None, kind: TargetKind) -> int:
    """How many documents of ``kind`` were voided for this source document before: a new one
    is numbered apart from them, so it can never be mistaken for (or revive) a voided one."""
    if link is None:
        return 0
    voided = json.loads(link.voided_history or "[]")
    return sum(1 for entry in voided if entry.get("kind") == kind.value)


def ownership_of(link: TargetLink) -> Ownership:
    """What the link says costbridge owns in its document (``Ownership``)."""
    return Ownership(
        line_ids=json.loads(link.line_ids or "{}"),
        fields=json.loads(link.owned_fields or "{}"),
        header=link.amends_document_id is None,
        overwrite=link.overwrite_next,
    )


def posted_from(link: TargetLink) -> PostedRef:
    return PostedRef(
        kind=TargetKind(link.target_kind),
        id=link.target_id,
        sync_token=link.sync_token,
        doc_number=link.doc_number,
    )


def apply_result(
    link: TargetLink | None,
    result: PostResult,
    *,
    document_id: int,
    version_id: int,
    content_hash: str,
    target: str,
    now: datetime,
) -> TargetLink:
    """The link row after a successful write (created, found or updated)."""
    link = link or TargetLink(
        document_id=document_id, target=target, target_kind="", target_id="", updated_at=now
    )
    posted = result.posted
    link.target_kind = posted.kind.value
    link.target_id = posted.id
    link.sync_token = posted.sync_token
    link.doc_number = posted.doc_number
    link.total = str(posted.total) if posted.total is not None else link.total
    if result.share is not None:
        link.total = str(result.share)
    link.amends_document_id = result.amends_document_id
    if result.operation != "unchanged":
        link.line_ids = json.dumps(posted.line_ids, sort_keys=True)
        link.owned_fields = json.dumps(posted.owned_fields, sort_keys=True)
        link.overwrite_next = False
    link.posted_version_id = version_id
    link.posted_hash = content_hash
    link.voided = False
    link.updated_at = now
    return link
