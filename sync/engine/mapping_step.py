"""The engine's side of mapping: gather rules, links and reference data, then call ``mappings``.

The inputs come from ``mapping_cache``: read from the database and built only when a write (by
any process) has moved them since the last document.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mappings.document import DocumentMapping, map_document
from sync.engine.mapping_cache import cache_for
from sync.models import SourceDocument, TargetKind
from sync.service import Service


async def map_for_target(
    svc: Service, session: AsyncSession, doc: SourceDocument, kind: TargetKind
) -> DocumentMapping:
    """Map with what the database knows now; refresh the target's references once if stale."""
    now = svc.clock.now()
    cache = cache_for(svc.engine)
    inputs = await cache.inputs(session, svc.target, source=doc.source, now=now)
    mapping = map_document(doc, inputs.rules, inputs.references, inputs.links, kind)
    if any(r.kind == "invalid_target" for r in mapping.reasons):
        # The account may have been created or re-activated since the cache was filled.
        references = await cache.refreshed_references(session, svc.target, now=now)
        mapping = map_document(doc, inputs.rules, references, inputs.links, kind)
    return mapping
