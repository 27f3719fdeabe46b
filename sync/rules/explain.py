"""Why each line of a document maps the way it does, as the rules stand now.

The document is re-mapped from its current version's stored payload with the rules, links and
cached reference data in the database (no remote call), and ``DocumentMapping.explain`` says,
per line, which rule gave each output and which others matched. Posted versions' payloads are
purged by default; then the caller may ask to ``fetch`` the document from the source again
(a read, never a write).
"""

from __future__ import annotations

from dataclasses import dataclass

from db.models import SourceDocumentRow
from mappings.document import map_document
from mappings.explain import explain_line
from mappings.references import ReferenceIndex
from sync.engine import reference
from sync.engine.documents import (
    DocumentLookupError,
    current_version,
    label,
    payload_of,
    select_document,
)
from sync.engine.routes import target_kind_for
from sync.models import DocumentKind, DocumentRef, SourceDocument
from sync.rules.store import load_links, load_rules
from sync.service import Service


class ExplainError(LookupError):
    """The document or line cannot be explained (said in words for the person asking)."""


@dataclass(frozen=True, slots=True)
class Explained:
    header: str
    lines: tuple[str, ...]  # one explanation per line (or the one line asked for)
    document_reasons: tuple[str, ...]  # document-level reasons (links), if any


def _ref(row: SourceDocumentRow) -> DocumentRef:
    return DocumentRef(
        source=row.source,
        kind=DocumentKind(row.kind),
        id=row.external_id,
        project_id=row.project_id,
    )


async def explain_document(
    svc: Service, selector: str, *, line: int | None = None, fetch: bool = False
) -> Explained:
    async with svc.sessions() as session:
        try:
            row = await select_document(session, selector)
        except DocumentLookupError as exc:
            raise ExplainError(str(exc)) from None
        version = await current_version(session, row)
        if version is None:
            raise ExplainError(f"{label(row)} has no version yet")
        doc: SourceDocument | None = payload_of(version)
        origin = "stored payload"
        if doc is None and not fetch:
            raise ExplainError(
                f"{label(row)} is {version.state} and its payload was purged after posting "
                "(COSTBRIDGE_PURGE_PAYLOADS); add --fetch to explain it as "
                f"{row.source} has it now"
            )
        if doc is None:
            doc = await svc.source(row.source).fetch(_ref(row))
            origin = f"fetched from {row.source} now"
        rules = await load_rules(session)
        refs = ReferenceIndex(await reference.cached(session, svc.target.name))
        links = await load_links(session, source=doc.source, target=svc.target.name)
    mapping = map_document(
        doc, rules, refs, links, target_kind_for(DocumentKind(doc.kind), svc.settings)
    )
    lines = mapping.lines
    if line is not None:
        lines = tuple(lr for lr in lines if lr.line.position == line)
        if not lines:
            raise ExplainError(f"{label(row)} has no line {line} (it has {len(doc.lines)})")
    header = (
        f"{label(row)} {doc.title!r}, {row.source} id {row.external_id}, "
        f"version {version.id} ({version.state}); {origin}, as the rules stand now:"
    )
    return Explained(
        header=header,
        lines=tuple(explain_line(lr) for lr in lines),
        document_reasons=tuple(r.message for r in mapping.reasons if r.line_id is None),
    )
