"""Links a person makes by hand (``costbridge links``): a source project to a customer:job, a
source vendor to a vendor, by id, number or name, never guessed.

Both sides are resolved strictly: the target's side against its reference data (fetched when
the cache is stale, and once more when a value names nothing, as it may be newer than the
cache); the source's side against the projects and vendors costbridge has seen in documents
(an id it has not seen is taken as given). A name that fits several is refused with the
candidates. Linking re-maps the documents waiting for a human: those it helps go back to the
queue and post without another step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db import data_versions
from db.models import AuditEntry, DocumentVersion, EntityLink, SourceDocumentRow
from mappings.io_targets import find_target
from mappings.references import ReferenceIndex, display
from mappings.rule_rows import FileError
from mappings.suggest import LinkSuggestion, normalise_name, suggest_links
from sync.engine import reference
from sync.engine.documents import payload_of
from sync.engine.requeue import requeue_resolved
from sync.errors import CostbridgeError
from sync.models import ReferenceKind, ReferenceRecord, TargetRef
from sync.rules.store import link_entity
from sync.service import Service

# What a source entity links to in the target.
TARGET_KIND = {"project": ReferenceKind.CUSTOMER, "vendor": ReferenceKind.VENDOR}
TARGET_WORDS = {"project": "customer:job", "vendor": "vendor"}


class LinkError(Exception):
    """A link cannot be made or removed as asked: the message says why (and the candidates)."""


@dataclass(frozen=True, slots=True)
class SourceEntity:
    kind: str  # project | vendor
    id: str
    name: str = ""
    code: str = ""  # a project's number, a vendor's external code

    def label(self) -> str:
        named = " ".join(p for p in (self.code, self.name) if p)
        return f"{self.kind} {self.id}" + (f" ({named})" if named else "")


@dataclass(frozen=True, slots=True)
class Link:
    entity: SourceEntity
    target_id: str
    target_name: str
    author: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Linked:
    entity: SourceEntity
    record: ReferenceRecord
    requeued: tuple[int, ...]  # waiting documents the link helps, queued again


@dataclass(frozen=True, slots=True)
class Suggested:
    entity: SourceEntity
    candidates: tuple[LinkSuggestion, ...]


def pick_entity(entities: Sequence[SourceEntity], kind: str, value: str) -> SourceEntity:
    """The entity ``value`` designates: its id, else the one whose name or number it is."""
    of_kind = [e for e in entities if e.kind == kind]
    wanted = value.strip()
    for entity in of_kind:
        if entity.id == wanted:
            return entity
    folded = normalise_name(wanted)
    named = [
        e for e in of_kind if folded and folded in {normalise_name(e.name), normalise_name(e.code)}
    ]
    if len(named) == 1:
        return named[0]
    if named:
        shown = "; ".join(e.label() for e in named)
        raise LinkError(f"{value!r} names several {kind}s: {shown}; give the id")
    if wanted.isdigit():  # a source id costbridge has not seen in a document yet
        return SourceEntity(kind, wanted)
    raise LinkError(f"no {kind} {value!r} in the documents costbridge has seen; give its id")


async def known_entities(session: AsyncSession, source: str) -> list[SourceEntity]:
    """The projects and vendors of the documents costbridge holds (latest name wins)."""
    rows = await session.execute(
        select(DocumentVersion)
        .join(
            SourceDocumentRow,
            col(SourceDocumentRow.current_version_id) == col(DocumentVersion.id),
        )
        .where(col(SourceDocumentRow.source) == source)
        .order_by(col(DocumentVersion.id))
    )
    seen: dict[tuple[str, str], SourceEntity] = {}
    for version in rows.scalars():
        doc = payload_of(version)
        if doc is None:
            continue
        project = doc.project
        seen[("project", project.id)] = SourceEntity(
            "project", project.id, project.name, project.number
        )
        if doc.vendor is not None:
            vendor = doc.vendor
            seen[("vendor", vendor.id)] = SourceEntity(
                "vendor", vendor.id, vendor.name, vendor.code
            )
    return sorted(seen.values(), key=lambda e: (e.kind, e.name.casefold(), e.id))


async def list_links(svc: Service, *, source: str = "procore") -> list[Link]:
    async with svc.sessions() as session:
        known = {(e.kind, e.id): e for e in await known_entities(session, source)}
        rows = await session.execute(
            select(EntityLink)
            .where(col(EntityLink.source) == source, col(EntityLink.target) == svc.target.name)
            .order_by(col(EntityLink.source_kind), col(EntityLink.source_id))
        )
        return [
            Link(
                known.get(
                    (row.source_kind, row.source_id), SourceEntity(row.source_kind, row.source_id)
                ),
                row.target_id,
                row.target_name,
                row.author,
                row.created_at,
            )
            for row in rows.scalars()
        ]


async def _target_record(
    session: AsyncSession, svc: Service, kind: str, value: str, *, now: datetime
) -> ReferenceRecord:
    ref_kind = TARGET_KIND[kind]

    def find(refs: ReferenceIndex) -> ReferenceRecord | FileError:
        found = find_target(refs, ref_kind, value)
        return (
            found
            if isinstance(found, FileError)
            else refs.get(ref_kind, found) or FileError("", "", f"no {ref_kind.value} {value!r}")
        )

    try:
        record = await reference.look_up(
            session,
            svc.target,
            now=now,
            find=find,
            found=lambda result: isinstance(result, ReferenceRecord),
        )
    except CostbridgeError as exc:
        raise LinkError(f"the {svc.target.name} reference data cannot be read: {exc}") from None
    if isinstance(record, FileError):
        raise LinkError(record.message)
    if not record.active:
        raise LinkError(f"{display(record)} is inactive in {svc.target.name}: make it active first")
    return record


async def add_link(
    svc: Service, kind: str, source_value: str, target_value: str, *, actor: str, source: str
) -> Linked:
    """Link, audit, then queue the waiting documents the link helps, in one transaction."""
    if kind not in TARGET_KIND:
        raise LinkError(f"link a project or a vendor, not {kind!r}")
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        entity = pick_entity(await known_entities(session, source), kind, source_value)
        record = await _target_record(session, svc, kind, target_value, now=now)
        await link_entity(
            session,
            source=source,
            source_kind=kind,
            source_id=entity.id,
            target=svc.target.name,
            target_ref=TargetRef(id=record.id, name=record.name),
            actor=actor,
            now=now,
        )
        await session.flush()
        requeued = await requeue_resolved(svc, session)
    return Linked(entity, record, tuple(requeued))


async def remove_link(
    svc: Service, kind: str, source_value: str, *, actor: str, source: str
) -> SourceEntity:
    """Remove the link (documents already posted keep what they were posted with)."""
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        entity = pick_entity(await known_entities(session, source), kind, source_value)
        row = (
            await session.execute(
                select(EntityLink).where(
                    col(EntityLink.source) == source,
                    col(EntityLink.source_kind) == kind,
                    col(EntityLink.source_id) == entity.id,
                    col(EntityLink.target) == svc.target.name,
                )
            )
        ).scalar_one_or_none()
        if row is None:
            raise LinkError(f"{entity.label()} is not linked")
        await session.delete(row)
        await data_versions.bump(session, data_versions.LINKS)
        session.add(
            AuditEntry(
                at=now,
                actor=actor,
                action="unlink",
                subject=f"{source}:{kind}:{entity.id}",
                detail="{}",
            )
        )
    return entity


async def suggest(svc: Service, *, source: str = "procore") -> list[Suggested]:
    """For every project and vendor seen in documents and not linked yet: the target records it
    probably is (same code, same name, similar name), for a person to confirm. Nothing is
    linked here."""
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        try:
            refs = ReferenceIndex(await reference.current(session, svc.target, now=now))
        except CostbridgeError as exc:
            raise LinkError(f"the {svc.target.name} reference data cannot be read: {exc}") from None
        linked = {
            (row.source_kind, row.source_id)
            for row in (
                await session.execute(
                    select(EntityLink).where(
                        col(EntityLink.source) == source,
                        col(EntityLink.target) == svc.target.name,
                    )
                )
            ).scalars()
        }
        entities = await known_entities(session, source)
    return [
        Suggested(e, tuple(suggest_links(e.name, e.code, refs, TARGET_KIND[e.kind])))
        for e in entities
        if (e.kind, e.id) not in linked
    ]
