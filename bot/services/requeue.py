"""After a new rule or link: every waiting document it helps goes back to the queue."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.services.views import source_document
from db.models import DocumentVersion, SourceDocumentRow
from sync.engine import states
from sync.engine.documents import reasons_of
from sync.engine.inbox import enqueue_sync
from sync.engine.mapping_step import map_for_target
from sync.engine.routes import target_kind_for
from sync.models import DocumentKind, DocumentRef
from sync.service import Service


def ref_of(row: SourceDocumentRow) -> DocumentRef:
    kind = DocumentKind(row.kind)
    return DocumentRef(source=row.source, kind=kind, id=row.external_id, project_id=row.project_id)


async def requeue_resolved(svc: Service, session: AsyncSession) -> list[int]:
    """Re-map every waiting document with what the session holds now (uncommitted rules too).

    A document whose reasons shrink is queued for a sync (which maps again and posts when
    nothing is left); returns their ids. Runs in the worker: mapping may refresh the cache.
    """
    now = svc.clock.now()
    rows = (
        await session.execute(
            select(SourceDocumentRow, DocumentVersion)
            .join(
                DocumentVersion,
                col(DocumentVersion.id) == col(SourceDocumentRow.current_version_id),
            )
            .where(col(DocumentVersion.state) == states.NEEDS_ATTENTION)
        )
    ).all()
    queued: list[int] = []
    for row, version in rows:
        doc = source_document(version)
        if doc is None or row.id is None:
            continue
        kind = target_kind_for(doc.kind, svc.settings)
        mapping = await map_for_target(svc, session, doc, kind)
        if len(mapping.reasons) < len(reasons_of(version)):
            await enqueue_sync(session, ref_of(row), now=now)
            queued.append(row.id)
    return queued
