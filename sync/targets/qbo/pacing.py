"""Staying under QuickBooks Online's throttles instead of running into them.

QBO allows 500 requests a minute and 10 at once per realm (research/qbo.md, "Throttling"); a
429 costs a minute's wait (Intuit says to wait 60 s). ``Pace`` keeps this process's calls
under both: a call waits for a slot when the last minute already holds ``per_minute`` calls or
``at_once`` are in flight. The margin under 500 leaves room for the other processes and tools
that share the realm; a 429 is still handled (``QboClient``) when they take more.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sync.clock import Clock

PER_MINUTE = 450
AT_ONCE = 10


class Pace:
    def __init__(
        self,
        clock: Clock,
        sleep: Callable[[float], Awaitable[None]],
        *,
        per_minute: int = PER_MINUTE,
        at_once: int = AT_ONCE,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._per_minute = per_minute
        self._started: deque[float] = deque()  # when each call of the last minute began
        self._in_flight = asyncio.Semaphore(at_once)
        self._lock = asyncio.Lock()

    def wait_needed(self) -> float:
        """Seconds until the rolling minute has room for one more call (pure, for tests)."""
        now = self._clock.now().timestamp()
        while self._started and self._started[0] <= now - 60.0:
            self._started.popleft()
        if len(self._started) < self._per_minute:
            return 0.0
        return self._started[0] + 60.0 - now

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._in_flight:
            async with self._lock:  # one waiter at a time reads and takes the minute's room
                while (wait := self.wait_needed()) > 0:
                    await self._sleep(wait)
                self._started.append(self._clock.now().timestamp())
            yield
