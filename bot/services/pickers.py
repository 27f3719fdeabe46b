"""Options for the searchable pickers: suggestions first, then what matches the typed text.

Answers come from the cached reference data only (``reference_cache``): an options request
has the same 3-second budget as any other, so QuickBooks is never called here.
"""

from __future__ import annotations

from typing import Any

from bot.blocks.options import MAX_OPTIONS, options_response
from bot.blocks.refs import GroupRef
from bot.grouping import GroupSpec, group_reasons, lines_of
from db.models import DocumentVersion, SourceDocumentRow
from mappings.references import ReferenceIndex
from mappings.rules import OutputField
from mappings.suggest import suggest_accounts, suggest_links
from sync.engine import reference
from sync.engine.documents import payload_of, reasons_of
from sync.models import ReferenceKind, ReferenceRecord, SourceDocument
from sync.rules.store import load_rules
from sync.service import Service

_KIND = {
    "account": ReferenceKind.ACCOUNT,
    "item": ReferenceKind.ITEM,
    "vendor": ReferenceKind.VENDOR,
    "customer": ReferenceKind.CUSTOMER,
    "parent": ReferenceKind.CUSTOMER,  # a job's parent: top-level customers only
}


async def picker_options(
    svc: Service, block_id: str, query: str, default: str = "account"
) -> dict[str, Any]:
    """The answer to an options request from the group block ``block_id``."""
    ref = GroupRef.parse(block_id)
    async with svc.sessions() as session:
        refs = ReferenceIndex(await reference.cached(session, svc.target.name))
        doc, spec = None, None
        if ref is not None:
            row = await session.get(SourceDocumentRow, ref.document_id)
            version = (
                await session.get(DocumentVersion, row.current_version_id)
                if row is not None and row.current_version_id
                else None
            )
            if version is not None:
                doc = payload_of(version)
                specs = group_reasons(reasons_of(version))
                spec = specs[ref.index] if ref.index < len(specs) else None
        picker = spec.picker if spec is not None and spec.picker else default
        if default == "parent":  # the parent picker sits in a customer group's block
            picker, spec = default, None
        kind = _KIND[picker]
        rules = await load_rules(session) if picker in ("account", "item") else []
    matches = refs.search(kind, query, limit=MAX_OPTIONS if picker != "parent" else 10_000)
    if picker == "parent":
        matches = [r for r in matches if not r.parent_id][:MAX_OPTIONS]
    suggested = _suggested(picker, spec, doc, rules, refs) if spec is not None else []
    if query.strip():
        wanted = {r.id for r in matches}
        suggested = [r for r in suggested if r.id in wanted]
    return options_response(suggested, matches)


def _suggested(
    picker: str,
    spec: GroupSpec,
    doc: SourceDocument | None,
    rules: list[Any],
    refs: ReferenceIndex,
) -> list[ReferenceRecord]:
    if doc is None:
        return []
    if picker in ("account", "item"):
        lines = lines_of(doc, spec)
        if not lines:
            return []
        field = OutputField.ITEM if picker == "item" else OutputField.ACCOUNT
        return [s.record for s in suggest_accounts(lines[0], doc, rules, refs, field=field)]
    if picker == "vendor" and doc.vendor is not None:
        found = suggest_links(doc.vendor.name, doc.vendor.code, refs, ReferenceKind.VENDOR)
    else:
        found = suggest_links(doc.project.name, doc.project.number, refs, ReferenceKind.CUSTOMER)
    return [s.record for s in found]
