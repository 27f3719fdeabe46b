"""View data for the builders, read from the database (documents, reasons, suggestions)."""

from __future__ import annotations

import json
from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession

from bot.blocks.model import AttentionView, DocView, Group, LineView
from bot.grouping import GroupSpec, group_reasons, lines_of
from db.models import DocumentVersion, SourceDocumentRow
from mappings.references import ReferenceIndex, display
from mappings.rules import OutputField, Rule
from mappings.suggest import suggest_accounts
from sync.engine import reference
from sync.engine.conflicts import has_conflict
from sync.engine.documents import payload_of, reasons_of
from sync.engine.parties import clean_name, job_name
from sync.engine.posting import find_link
from sync.engine.voids import posted_label
from sync.errors import EDITED_IN_TARGET, AttentionReason
from sync.models import SourceDocument
from sync.rules.store import load_rules

# Reasons whose answer may be to void what posted: the change order left Procore's approval.
VOID_REASONS = frozenset({"source_deleted", "source_unapproved"})


def doc_view(row: SourceDocumentRow, version: DocumentVersion | None) -> DocView:
    doc = payload_of(version) if version is not None else None
    assert row.id is not None
    project = doc.project.name if doc else f"Procore project {row.project_id}"
    # A prime change order's counterparty is the owner: the project's customer.
    owner = doc is not None and doc.vendor is None
    counterparty = doc.project.name if doc is not None and owner else row.counterparty
    return DocView(
        document_id=row.id,
        kind=row.kind,
        number=row.number,
        title=row.title,
        project=project,
        counterparty=counterparty,
        total=version.total if version is not None else "0",
        url=row.url,
    )


def doc_json(view: DocView) -> str:
    return json.dumps(asdict(view))


def doc_from_json(text: str) -> DocView | None:
    try:
        return DocView(**json.loads(text))
    except (TypeError, ValueError):
        return None


async def attention_view(
    session: AsyncSession,
    target: str,
    row: SourceDocumentRow,
    version: DocumentVersion,
    revision: int,
) -> AttentionView:
    doc = payload_of(version)
    reasons = reasons_of(version)
    specs = group_reasons(reasons)
    records = await reference.cached(session, target)
    refs = ReferenceIndex(records)
    rules = await load_rules(session)
    groups = tuple(_group(spec, doc, rules, refs) for spec in specs)
    assert version.id is not None and row.id is not None
    void_target, void_total = "", "0"
    if {spec.reason for spec in specs} & VOID_REASONS:
        link = await find_link(session, row.id, target)
        if link is not None and link.target_id and not link.voided:
            void_target, void_total = posted_label(link), link.total
    return AttentionView(
        doc_view(row, version),
        version.id,
        revision,
        groups,
        void_target,
        void_total,
        conflict_target(version, reasons),
    )


def conflict_target(version: DocumentVersion, reasons: list[AttentionReason]) -> str:
    """The QuickBooks document someone edited, when the version waits on that answer."""
    if not has_conflict(version):
        return ""
    named = [r.data.get("document", "") for r in reasons if r.kind == EDITED_IN_TARGET]
    return next((n for n in named if n), "the QuickBooks document")


def _group(
    spec: GroupSpec, doc: SourceDocument | None, rules: list[Rule], refs: ReferenceIndex
) -> Group:
    lines = lines_of(doc, spec)
    suggested = ""
    if doc is not None and lines and spec.picker in ("account", "item"):
        field = OutputField.ITEM if spec.picker == "item" else OutputField.ACCOUNT
        best = suggest_accounts(lines[0], doc, rules, refs, field=field, limit=1)
        if best:
            suggested = f"{display(best[0].record)} ({'; '.join(best[0].reasons)})"
    return Group(
        reason=spec.reason,
        title=spec.title,
        messages=spec.messages,
        lines=tuple(LineView(ln.position, ln.description, str(ln.amount)) for ln in lines),
        picker=spec.picker,
        suggested=suggested,
        create=create_name(spec),
    )


def create_name(spec: GroupSpec) -> str:
    """The name a Create button adds: only for a missing link, never for an inactive one."""
    if spec.reason == "vendor_not_linked" and spec.datum("vendor_id"):
        return clean_name(spec.datum("vendor_name"))
    if spec.reason == "project_not_linked" and spec.datum("project_id"):
        return job_name(spec.datum("project_name"), spec.datum("project_number"))
    return ""
