"""Writing a mapped document to the target exactly once.

The idempotency key of a write is derived from the document and its version, never random: a
replay of the same write carries the same ``requestid``. After an outcome we could not see
(timeout, 5xx, dropped connection) the target is searched for the document before any re-create.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models import TargetLink
from sync.models import MappedDocument, PostedRef, TargetKind
from sync.targets.base import Target


def request_id(target_account: str, document_key: str, content_hash: str, operation: str) -> str:
    """Deterministic, ≤ 50 characters (QuickBooks' limit)."""
    raw = f"{target_account}|{document_key}|{content_hash}|{operation}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class PostResult:
    posted: PostedRef
    operation: str  # created | updated | found | unchanged
    notes: tuple[str, ...] = ()  # what the target document had to be fitted to (history)


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
) -> PostResult:
    """Create or update the target document for this version; never duplicate it."""
    document = target.build(mapped, kind, document_key)
    # A link to a document of another kind (the sign flipped: sync.engine.replace voids it
    # first, or queues its void ahead of this write) is never updated into this one.
    if link is not None and not link.voided and link.target_kind == kind.value:
        if link.posted_hash == content_hash:
            return PostResult(posted_from(link), "unchanged")
        existing = posted_from(link)
        rid = request_id(target_account, document_key, content_hash, "update")
        return PostResult(await target.update(document, existing, rid), "updated", document.notes)
    if look_first:
        found = await target.find(document)
        if found is not None:
            # It may hold an older version's content (the write we lost may predate this
            # version), so bring it up to date rather than trusting it.
            rid = request_id(target_account, document_key, content_hash, "update")
            return PostResult(await target.update(document, found, rid), "found", document.notes)
    rid = request_id(target_account, document_key, content_hash, "create")
    return PostResult(await target.create(document, rid), "created", document.notes)


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
    link.posted_version_id = version_id
    link.posted_hash = content_hash
    link.voided = False
    link.updated_at = now
    return link
