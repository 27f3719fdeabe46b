"""What Procore said about the records documents refer to, kept a bounded while.

A backfill of thousands of change orders names the same projects, commitments, vendors, cost
codes and cost types again and again; reading each of them for every document would spend most
of Procore's hourly budget on answers we already have. Entries live ``ttl`` seconds at most and
go as soon as Procore reports a change to them (``ProcoreSource.resolve`` drops the entry a
webhook names), so a rename reaches the next document read after its webhook.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from datetime import timedelta
from typing import Generic, TypeVar

from sync.clock import Clock

V = TypeVar("V")


class Recent(Generic[V]):
    """A map whose entries expire after ``ttl`` and whose oldest go beyond ``size``."""

    def __init__(self, clock: Clock, *, ttl: timedelta, size: int = 10_000) -> None:
        self._clock = clock
        self._ttl = ttl
        self._size = size
        self._entries: OrderedDict[Hashable, tuple[V, float]] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, expires = entry
        if self._clock.now().timestamp() >= expires:
            del self._entries[key]
            return None
        return value

    def put(self, key: Hashable, value: V) -> None:
        self._entries[key] = (value, self._clock.now().timestamp() + self._ttl.total_seconds())
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def drop(self, key: Hashable) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
