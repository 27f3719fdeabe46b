"""Connection health signals: what the clients saw, kept in memory until the worker records it.

The clients (Procore, QuickBooks Online) and the Web Connector check call ``observe`` with no
I/O of their own; ``sync.health.store.flush`` turns the buffered observations into durable
``connection_health`` rows and notices. Consecutive identical observations collapse into one
(first and last time, count), so a burst of calls costs one row update, not one per call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from sync.clock import Clock

Signal = Literal["ok", "auth_failed", "throttled", "stale", "polled"]
# What a client calls after each call (signal, detail); bound to its connection and clock.
Report = Callable[[Signal, str], None]
PROCORE = "procore"
QBO = "qbo"
MAX_PENDING = 256  # a safety bound: flush runs after every work item


def no_report(signal: Signal, detail: str) -> None:
    """The default for clients built without a service (tests of the client alone)."""


def qbd_connection(company: str) -> str:
    return f"qbd:{company}"


@dataclass(frozen=True)
class Observation:
    connection: str
    signal: Signal
    first_at: datetime
    last_at: datetime
    detail: str = ""
    count: int = 1


class HealthSignals:
    """The in-memory buffer one service shares between its clients and its worker."""

    def __init__(self) -> None:
        self._pending: list[Observation] = []

    def observe(self, connection: str, signal: Signal, at: datetime, detail: str = "") -> None:
        last = self._pending[-1] if self._pending else None
        if last is not None and (last.connection, last.signal) == (connection, signal):
            self._pending[-1] = replace(
                last, last_at=at, detail=detail or last.detail, count=last.count + 1
            )
            return
        if len(self._pending) >= MAX_PENDING:
            del self._pending[0]  # the oldest matters least: later ones carry the truth
        self._pending.append(Observation(connection, signal, at, at, detail))

    def take(self) -> list[Observation]:
        taken, self._pending = self._pending, []
        return taken

    def give_back(self, observations: list[Observation]) -> None:
        """Recording failed (database down): keep them for the next flush."""
        self._pending = [*observations, *self._pending][-MAX_PENDING:]

    def reporter(self, connection: str, clock: Clock) -> Report:
        def report(signal: Signal, detail: str) -> None:
            self.observe(connection, signal, clock.now(), detail)

        return report
