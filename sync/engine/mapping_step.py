"""The engine's side of mapping: gather rules, links and reference data, then call ``mappings``."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mappings.document import DocumentMapping, map_document
from mappings.references import ReferenceIndex
from sync.engine import reference
from sync.models import SourceDocument, TargetKind
from sync.rules.store import load_links, load_rules
from sync.service import Service


async def map_for_target(
    svc: Service, session: AsyncSession, doc: SourceDocument, kind: TargetKind
) -> DocumentMapping:
    """Map with what the database knows now; refresh the target's references once if stale."""
    now = svc.clock.now()
    records = await reference.current(session, svc.target, now=now)
    rules = await load_rules(session)
    links = await load_links(session, source=doc.source, target=svc.target.name)
    mapping = map_document(doc, rules, ReferenceIndex(records), links, kind)
    if any(r.kind == "invalid_target" for r in mapping.reasons):
        # The account may have been created or re-activated since the cache was filled.
        records = await reference.current(session, svc.target, now=now, force=True)
        mapping = map_document(doc, rules, ReferenceIndex(records), links, kind)
    return mapping
