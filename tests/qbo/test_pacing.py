"""QuickBooks Online's throttles are kept to, not run into: at most ``per_minute`` calls in
any rolling minute and ``at_once`` in flight (``sync.targets.qbo.pacing.Pace``)."""

from __future__ import annotations

import asyncio

from sync.clock import FrozenClock
from sync.targets.qbo.pacing import Pace


def paced(
    per_minute: int, at_once: int = 10, per_second: int = 1000
) -> tuple[Pace, FrozenClock, list[float]]:
    clock, slept = FrozenClock(), []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    windows = ((per_minute, 60.0), (per_second, 1.0))
    return Pace(clock, sleep, windows=windows, at_once=at_once), clock, slept


async def test_a_minute_full_of_calls_waits_for_its_oldest_to_leave_it() -> None:
    pace, clock, slept = paced(per_minute=5)
    for _ in range(5):
        async with pace.slot():
            clock.advance(2)  # each call 2 s apart
    assert slept == []
    async with pace.slot():
        pass
    assert slept == [50.0]  # the first call began 10 s ago: room again at 60 s
    async with pace.slot():
        pass
    assert slept == [50.0, 2.0]


async def test_calls_spread_over_more_than_a_minute_never_wait() -> None:
    pace, clock, slept = paced(per_minute=5)
    for _ in range(50):
        async with pace.slot():
            clock.advance(13)
    assert slept == []


async def test_no_more_than_per_second_in_any_second() -> None:
    pace, clock, slept = paced(per_minute=1000, per_second=3)
    for _ in range(7):
        async with pace.slot():
            clock.advance(0.1)
    # three at 0.0-0.2 s, the fourth waits for the first to be a second old, and so on
    assert [round(s, 2) for s in slept] == [0.7, 0.7]


async def test_no_more_than_at_once_in_flight() -> None:
    pace, _, _ = paced(per_minute=1000, at_once=3)
    inside, most = 0, 0
    release = asyncio.Event()

    async def call() -> None:
        nonlocal inside, most
        async with pace.slot():
            inside += 1
            most = max(most, inside)
            await release.wait()
            inside -= 1

    tasks = [asyncio.create_task(call()) for _ in range(8)]
    await asyncio.sleep(0)
    for _ in range(5):
        await asyncio.sleep(0)
    assert inside == 3  # the other five wait for a slot
    release.set()
    await asyncio.gather(*tasks)
    assert most == 3
