"""Procore's pacing after a failed delivery: the destination waits 1 s, 2 s, 4 s ... up to 1 h.

Derived from the recorded attempts rather than kept aside, so a manual flush
(``POST /_sandbox/webhooks/dispatch``) and the delivery loop see the same state, and a success
through either resets it (research §1.4: "any success resets counters").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sandbox.procore.records import Delivery

FIRST_WAIT = 1.0  # seconds after the first failure
LONGEST_WAIT = 3600.0  # the wait stops doubling at one hour


def wait_after(failures: int) -> timedelta:
    """How long a destination rests after ``failures`` failed attempts in a row."""
    return timedelta(seconds=min(FIRST_WAIT * 2 ** (failures - 1), LONGEST_WAIT))


def held_destinations(deliveries: Iterable[Delivery], now: datetime) -> set[str]:
    """Destinations whose latest attempts failed and whose next try is not due yet."""
    attempts = sorted(
        ((a.started_at, d.destination_url, a.success) for d in deliveries for a in d.attempts),
        key=lambda row: row[0],
    )
    streak: dict[str, tuple[datetime, int]] = {}  # url -> (last attempt, failures in a row)
    for started_at, url, success in attempts:
        failures = 0 if success else streak.get(url, (started_at, 0))[1] + 1
        streak[url] = (started_at, failures)
    return {
        url
        for url, (last, failures) in streak.items()
        if failures and now < last + wait_after(failures)
    }
