"""The mapping inputs kept in memory between documents: the rule index, the reference index
and the entity links, each under the stamp it was read at (``db.data_versions``).

Reading 2,000 rules, parsing them and indexing them again for every document costs far more
than mapping the document. So each input is kept, with the stamp of the data it was built
from; every mapping reads the stamps (one query) and rebuilds only what another write, by this
process or any other, has moved since. A stamp is new on every write and commits or rolls back
with it, so an entry filled inside a transaction that rolled back is never matched again.

One cache per database engine (entries die with it), at most ``MAX_KEYS`` entries per input
(one per target, one per source and target: the configured systems, a handful), and nothing
but immutable built values in it: no session, no ORM row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from db import data_versions
from mappings.index import RuleIndex
from mappings.references import EntityLinks, ReferenceIndex
from sync.engine import reference
from sync.rules.store import load_links, load_rules
from sync.targets.base import Target

T = TypeVar("T")
MAX_KEYS = 8


@dataclass(frozen=True)
class MappingInputs:
    """What ``mappings.map_document`` needs besides the document."""

    rules: RuleIndex
    references: ReferenceIndex
    links: EntityLinks


@dataclass
class CacheStats:
    hits: int = 0  # inputs served from memory
    misses: int = 0  # inputs read from the database and built


@dataclass(frozen=True)
class _Entry(Generic[T]):
    stamp: str
    value: T


@dataclass(frozen=True)
class _References:
    index: ReferenceIndex
    # The stored ``refreshed_at`` for the stamp: only a store moves either, so the staleness
    # check needs no query while the stamp holds.
    refreshed_at: datetime | None


class MappingCache:
    """The inputs of the last mapping, per target and source; ``enabled=False`` reads and
    builds every input every time (the behaviour before the cache, for comparisons)."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.stats = CacheStats()
        self._rules: dict[Hashable, _Entry[RuleIndex]] = {}
        self._references: dict[Hashable, _Entry[_References]] = {}
        self._links: dict[Hashable, _Entry[EntityLinks]] = {}

    def __len__(self) -> int:
        """How many built inputs are held."""
        return len(self._rules) + len(self._references) + len(self._links)

    async def inputs(
        self, session: AsyncSession, target: Target, *, source: str, now: datetime
    ) -> MappingInputs:
        """The rules, the target's references (refreshed first when missing or stale) and the
        links from ``source`` to the target, as the session sees them now."""
        ref_name = data_versions.reference(target.name)
        stamps = await data_versions.read(
            session, (data_versions.RULES, data_versions.LINKS, ref_name)
        )
        known = self._fresh(self._references, target.name, stamps[ref_name])
        stamp_at = (
            known.refreshed_at
            if known is not None
            else await reference.refreshed_at(session, target.name)
        )
        if reference.is_stale(stamp_at, now):
            references = await self.refreshed_references(session, target, now=now)
        else:
            references = await self._reference_index(session, target.name, stamps[ref_name])
        rules = await self._get(
            self._rules,
            None,
            session,
            data_versions.RULES,
            stamps[data_versions.RULES],
            lambda: _rule_index(session),
        )
        links = await self._get(
            self._links,
            (source, target.name),
            session,
            data_versions.LINKS,
            stamps[data_versions.LINKS],
            lambda: load_links(session, source=source, target=target.name),
        )
        return MappingInputs(rules=rules, references=references, links=links)

    async def refreshed_references(
        self, session: AsyncSession, target: Target, *, now: datetime
    ) -> ReferenceIndex:
        """Read the target's reference data again now (the target's errors are raised)."""
        await reference.refresh(session, target, now=now)
        name = data_versions.reference(target.name)
        stamp = (await data_versions.read(session, (name,)))[name]
        return await self._reference_index(session, target.name, stamp)

    async def _reference_index(
        self, session: AsyncSession, target: str, stamp: str
    ) -> ReferenceIndex:
        async def load() -> _References:
            records = await reference.cached(session, target)
            return _References(
                ReferenceIndex(records), await reference.refreshed_at(session, target)
            )

        name = data_versions.reference(target)
        entry = await self._get(self._references, target, session, name, stamp, load)
        return entry.index

    def _fresh(self, slot: dict[Hashable, _Entry[T]], key: Hashable, stamp: str) -> T | None:
        entry = slot.get(key)
        if self.enabled and entry is not None and entry.stamp == stamp:
            return entry.value
        return None

    async def _get(
        self,
        slot: dict[Hashable, _Entry[T]],
        key: Hashable,
        session: AsyncSession,
        name: str,
        stamp: str,
        load: Callable[[], Awaitable[T]],
    ) -> T:
        found = self._fresh(slot, key, stamp)
        if found is not None:
            self.stats.hits += 1
            return found
        self.stats.misses += 1
        value = await load()
        # Kept only when the stamp did not move while loading: under READ COMMITTED the load
        # may see a write newer than the stamp read before it.
        if self.enabled and (await data_versions.read(session, (name,)))[name] == stamp:
            if key not in slot and len(slot) >= MAX_KEYS:
                del slot[next(iter(slot))]  # the oldest key: configured systems are few
            slot[key] = _Entry(stamp, value)
        return value


async def _rule_index(session: AsyncSession) -> RuleIndex:
    return RuleIndex(await load_rules(session))


_BY_ENGINE: WeakKeyDictionary[AsyncEngine, MappingCache] = WeakKeyDictionary()


def cache_for(engine: AsyncEngine) -> MappingCache:
    """The cache of the database behind ``engine`` (made on first use)."""
    cache = _BY_ENGINE.get(engine)
    if cache is None:
        cache = _BY_ENGINE[engine] = MappingCache()
    return cache
