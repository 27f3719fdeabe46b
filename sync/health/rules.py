"""What an observation does to a connection's health (pure: no I/O, no clock).

Conditions per connection: ``auth`` (credentials refused) and ``stale`` (the Web Connector
stopped polling) open an alert at once; ``rate_limit`` opens only when waits and 429s have
continued for longer than ``rate_limit_after`` (short throttling is normal and handled by the
clients). A clean success clears ``auth`` and ``rate_limit``; a poll clears ``stale``.
An open alert is edited at most every ``UPDATE_EVERY`` so a thousand failures are not a
thousand Slack edits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from sync.health.signals import Observation

Condition = Literal["auth", "rate_limit", "stale"]
Notice = Literal["open", "update", "resolve"]
OK, PENDING, OPEN = "ok", "pending", "open"
UPDATE_EVERY = timedelta(minutes=1)

FAILING: dict[str, Condition] = {
    "auth_failed": "auth",
    "throttled": "rate_limit",
    "stale": "stale",
}
CLEARS: dict[str, tuple[Condition, ...]] = {
    "ok": ("auth", "rate_limit"),
    "polled": ("stale",),
}


@dataclass(frozen=True)
class Health:
    """One connection and condition, as ``connection_health`` holds it."""

    state: str = OK
    since: datetime | None = None
    last_seen: datetime | None = None
    count: int = 0
    detail: str = ""
    notified_at: datetime | None = None


def conditions_of(obs: Observation) -> tuple[Condition, ...]:
    if obs.signal in FAILING:
        return (FAILING[obs.signal],)
    return CLEARS.get(obs.signal, ())


def step(
    health: Health, condition: Condition, obs: Observation, *, rate_limit_after: timedelta
) -> tuple[Health, Notice | None]:
    """The health after ``obs``, and the notice people should get (None: nothing to say)."""
    if obs.signal not in FAILING:  # a success or a poll
        if health.state == OPEN:
            return Health(last_seen=obs.last_at, notified_at=obs.last_at), "resolve"
        if health.state == PENDING:
            return Health(last_seen=obs.last_at), None
        return health, None
    since = health.since
    lapsed = (
        health.state == PENDING
        and health.last_seen is not None
        and obs.first_at - health.last_seen > rate_limit_after
    )
    if health.state == OK or since is None or lapsed:
        since = obs.first_at  # a new episode (or the earlier throttling ended long ago)
    grown = replace(
        health,
        since=since,
        last_seen=obs.last_at,
        count=health.count + obs.count,
        detail=obs.detail or health.detail,
    )
    if health.state == OPEN:
        due = health.notified_at is None or obs.last_at - health.notified_at >= UPDATE_EVERY
        return (replace(grown, notified_at=obs.last_at), "update") if due else (grown, None)
    if condition == "rate_limit" and obs.last_at - since <= rate_limit_after:
        return replace(grown, state=PENDING), None
    return replace(grown, state=OPEN, notified_at=obs.last_at), "open"
