"""What a different rule set would do to documents already here: the import dry-run's numbers.

Waiting documents (current version ``needs_attention``) are re-mapped from their stored payload
with the rules before and after; one that needs attention before and nothing after (and
waited only for mapping reasons) *would be resolved*. Posted documents are never re-posted by a
rule change: the report lists the lines that would map differently if they were synced again,
comparing the mapping under the rules in force now with the mapping under the new ones. Their
payloads are purged after posting by default (``purge_payloads``), so those documents are
counted as not checkable rather than guessed about. Only cached reference data is used: a dry
run calls no remote system.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models import DocumentVersion, SourceDocumentRow
from mappings.describe import FIELD_LABEL, describe_value
from mappings.document import DocumentMapping, map_document
from mappings.index import RuleIndex
from mappings.references import EntityLinks, ReferenceIndex
from mappings.resolve import FieldResolution, FieldStatus, LineResolution
from mappings.rules import Rule
from sync.engine import reference, states
from sync.engine.documents import label, payload_of, reasons_of
from sync.engine.routes import target_kind_for
from sync.models import DocumentKind, SourceDocument
from sync.rules.store import load_links
from sync.settings import Settings

#: Reasons a rule or a link can clear; others (the target refused, the source deleted it) stay.
MAPPING_REASONS = frozenset(
    {"unmapped", "ambiguous", "invalid_target", "project_not_linked", "vendor_not_linked"}
)
Current = tuple[SourceDocumentRow, DocumentVersion]


@dataclass(frozen=True, slots=True)
class LineChange:
    document: str
    line: int
    field: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class Impact:
    waiting: int = 0  # documents whose current version needs attention
    resolved: tuple[str, ...] = ()  # of those, the ones the new rules would map completely
    waiting_unchecked: tuple[str, ...] = ()  # waiting without a stored payload
    posted_checked: int = 0
    posted_purged: tuple[str, ...] = ()  # posted, payload purged: cannot be checked
    changed_lines: tuple[LineChange, ...] = ()


async def current_in_state(session: AsyncSession, state: str) -> list[Current]:
    rows = await session.execute(
        select(SourceDocumentRow, DocumentVersion)
        .join(DocumentVersion, col(DocumentVersion.id) == col(SourceDocumentRow.current_version_id))
        .where(col(DocumentVersion.state) == state)
        .order_by(col(SourceDocumentRow.id))
    )
    return [(row, version) for row, version in rows.all()]


class _Mapper:
    """Maps documents with one rule index, the cached references and links (cached by source)."""

    def __init__(
        self, session: AsyncSession, settings: Settings, target: str, refs: ReferenceIndex
    ) -> None:
        self._session, self._settings, self._target, self._refs = session, settings, target, refs
        self._links: dict[str, EntityLinks] = {}

    async def map(self, doc: SourceDocument, rules: RuleIndex) -> DocumentMapping:
        links = self._links.get(doc.source)
        if links is None:
            links = await load_links(self._session, source=doc.source, target=self._target)
            self._links[doc.source] = links
        kind = target_kind_for(DocumentKind(doc.kind), self._settings)
        return map_document(doc, rules, self._refs, links, kind)


def _shown(fr: FieldResolution) -> str:
    if fr.status is FieldStatus.RESOLVED:
        return describe_value(fr.field, fr.value, fr.target)
    return fr.status.value.replace("_", " ")


def _line_changes(doc: str, before: LineResolution, after: LineResolution) -> list[LineChange]:
    changes = [
        LineChange(doc, after.line.position, FIELD_LABEL[a.field], _shown(b), _shown(a))
        for b, a in zip(before.fields, after.fields, strict=True)
        if (b.status, b.value) != (a.status, a.value)
    ]
    if before.description != after.description:
        changes.append(
            LineChange(
                doc, after.line.position, "Description", before.description, after.description
            )
        )
    return changes


async def assess(
    session: AsyncSession,
    *,
    before: Sequence[Rule],
    after: Sequence[Rule],
    settings: Settings,
    target: str,
) -> Impact:
    refs = ReferenceIndex(await reference.cached(session, target))
    mapper = _Mapper(session, settings, target, refs)
    old, new = RuleIndex(before), RuleIndex(after)

    waiting = await current_in_state(session, states.NEEDS_ATTENTION)
    resolved: list[str] = []
    unchecked: list[str] = []
    for row, version in waiting:
        doc = payload_of(version)
        if doc is None:
            unchecked.append(label(row))
            continue
        if not all(r.kind in MAPPING_REASONS for r in reasons_of(version)):
            continue  # waiting for something no rule can clear
        # Resolved *by this change*: waiting under the rules in force, complete under the new.
        if (await mapper.map(doc, old)).needs_attention and not (
            await mapper.map(doc, new)
        ).needs_attention:
            resolved.append(label(row))

    posted = await current_in_state(session, states.POSTED)
    purged: list[str] = []
    changed: list[LineChange] = []
    checked = 0
    for row, version in posted:
        doc = payload_of(version)
        if doc is None:
            purged.append(label(row))
            continue
        checked += 1
        was, will = await mapper.map(doc, old), await mapper.map(doc, new)
        for b, a in zip(was.lines, will.lines, strict=True):
            changed.extend(_line_changes(label(row), b, a))
    return Impact(
        waiting=len(waiting),
        resolved=tuple(resolved),
        waiting_unchecked=tuple(unchecked),
        posted_checked=checked,
        posted_purged=tuple(purged),
        changed_lines=tuple(changed),
    )
