"""The target's reference data as the mapper sees it, and the links from source entities to it.

``ReferenceIndex`` answers "does account 57 exist, is it active, what is it called" and powers
the Slack account picker (whose options are limited, so it has to search). ``EntityLinks`` says
which target vendor a source vendor is, and which customer:job a source project is; links are
made by people (helped by ``mappings.suggest``), never guessed by the mapper.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sync.models import ReferenceKind, ReferenceRecord, TargetRef


def display(record: ReferenceRecord) -> str:
    """How a person recognises a record: ``"5010 Subcontract Labor"`` (number first if any)."""
    return f"{record.number} {record.name}" if record.number else record.name


class ReferenceIndex:
    """Lookups by kind and id over a list of reference records (active and inactive)."""

    def __init__(self, records: Iterable[ReferenceRecord]) -> None:
        self._by_key: dict[tuple[ReferenceKind, str], ReferenceRecord] = {}
        self._by_kind: dict[ReferenceKind, list[ReferenceRecord]] = {}
        for record in records:
            key = (record.kind, record.id)
            if key in self._by_key:
                raise ValueError(f"duplicate reference record {record.kind.value} {record.id}")
            self._by_key[key] = record
            self._by_kind.setdefault(record.kind, []).append(record)
        for rows in self._by_kind.values():
            rows.sort(key=_sort_key)

    def get(self, kind: ReferenceKind, id: str) -> ReferenceRecord | None:
        return self._by_key.get((kind, id))

    def is_active(self, kind: ReferenceKind, id: str) -> bool:
        record = self._by_key.get((kind, id))
        return record is not None and record.active

    def display_name(self, kind: ReferenceKind, id: str) -> str:
        """The record's display name, or the bare id when the target does not know it."""
        record = self._by_key.get((kind, id))
        return display(record) if record else id

    def records(
        self, kind: ReferenceKind, *, include_inactive: bool = True
    ) -> tuple[ReferenceRecord, ...]:
        """All records of a kind, sorted by number, then name, then id."""
        rows = self._by_kind.get(kind, [])
        return tuple(r for r in rows if include_inactive or r.active)

    def search(
        self,
        kind: ReferenceKind,
        query: str,
        *,
        limit: int = 20,
        include_inactive: bool = False,
    ) -> list[ReferenceRecord]:
        """Records matching what someone typed into a picker, best first.

        Order: exact number, number prefix, exact name, name prefix, a word (or ``:`` segment)
        of the name starting with the query, then the query anywhere in the name; ties by
        number, then name. An empty query lists the first ``limit`` records.
        """
        q = query.strip().casefold()
        scored: list[tuple[int, tuple[str, str, str], ReferenceRecord]] = []
        for record in self.records(kind, include_inactive=include_inactive):
            tier = _search_tier(record, q)
            if tier is not None:
                scored.append((tier, _sort_key(record), record))
        scored.sort(key=lambda t: (t[0], t[1]))
        return [record for _, _, record in scored[:limit]]


def _sort_key(record: ReferenceRecord) -> tuple[str, str, str]:
    return (record.number, record.name.casefold(), record.id)


def _search_tier(record: ReferenceRecord, q: str) -> int | None:
    if not q:
        return 0
    number = record.number.casefold()
    name = record.name.casefold()
    if number and number == q:
        return 0
    if number and number.startswith(q):
        return 1
    if name == q:
        return 2
    if name.startswith(q):
        return 3
    words = name.replace(":", " ").split()
    if any(w.startswith(q) for w in words):
        return 4
    if q in name or (number and q in f"{number} {name}"):
        return 5
    return None


@dataclass(frozen=True)
class EntityLinks:
    """Source entity -> target entity, as people linked them.

    Keys are the source's ids: ``vendors`` by source vendor id, ``projects`` by source project id
    (the value is the project's customer:job in the target).
    """

    vendors: Mapping[str, TargetRef] = field(default_factory=dict)
    projects: Mapping[str, TargetRef] = field(default_factory=dict)

    def vendor_for(self, source_vendor_id: str) -> TargetRef | None:
        return self.vendors.get(source_vendor_id)

    def customer_for(self, source_project_id: str) -> TargetRef | None:
        return self.projects.get(source_project_id)
