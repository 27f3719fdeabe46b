"""Staying under QuickBooks Online's throttles instead of running into them.

QBO allows 500 requests a minute per realm, 10 a second and 10 at once per realm and app
(research/qbo.md, "Throttling"); a 429 costs a minute's wait (Intuit says to wait 60 s).
``Pace`` keeps this process's calls under all three: a call waits for a slot while any rolling
window already holds its count, or while ``at_once`` calls are in flight. The margins under
the limits leave room for the other processes and tools sharing the realm; a 429 is still
handled (``QboClient``) when they take more.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from sync.clock import Clock

# (calls, seconds): at most that many calls begun in any rolling window of that length. The
# 10-a-second limit is not paced by default: measured on the injected clock, a frozen test
# clock would make every call wait; a burst past it is a 429, handled by QboClient.
WINDOWS = ((450, 60.0),)
AT_ONCE = 10


class Pace:
    def __init__(
        self,
        clock: Clock,
        sleep: Callable[[float], Awaitable[None]],
        *,
        windows: Sequence[tuple[int, float]] = WINDOWS,
        at_once: int = AT_ONCE,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._windows = tuple(windows)
        self._longest = max(seconds for _, seconds in self._windows)
        self._started: deque[float] = deque()  # when each call of the longest window began
        self._in_flight = asyncio.Semaphore(at_once)
        self._lock = asyncio.Lock()

    def wait_needed(self) -> float:
        """Seconds until every window has room for one more call."""
        now = self._clock.now().timestamp()
        while self._started and self._started[0] <= now - self._longest:
            self._started.popleft()
        wait = 0.0
        for count, seconds in self._windows:
            inside = [t for t in self._started if t > now - seconds]
            if len(inside) >= count:  # room again when the call ``count`` back leaves it
                wait = max(wait, inside[-count] + seconds - now)
        return wait

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._in_flight:
            async with self._lock:  # one waiter at a time reads and takes the windows' room
                # One sleep makes the room (it is exactly until then); never a loop, so a
                # clock that does not move with the sleep cannot spin here.
                wait = self.wait_needed()
                if wait > 0:
                    await self._sleep(wait)
                self._started.append(self._clock.now().timestamp())
            yield
