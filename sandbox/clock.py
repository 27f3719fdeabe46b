"""The emulators' own notion of time: any object with ``now()`` (UTC) will do.

The emulators share no code with the product they check; tests hand them the same clock the
service uses (``sync.clock.FrozenClock``) so both sides agree on what time it is.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
