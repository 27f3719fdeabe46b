"""QBO's throttles (research §7), off until switched on, so existing tests never wait.

- 500 requests/minute per realm;
- 10 requests/second per realm+app (sandbox since 2025-09), and the older rule of at most
  10 requests in flight per realm+app (the 2016 "concurrent requests" change);
- batch: 40 requests/minute per realm+app and 120 per realm (a batch is also one request).

Windows slide: a call is refused while ``limit`` calls were admitted in the last span, which is
all a client can observe of QBO's buckets. A refused call takes nothing from any window (the
research does not say; a token bucket behaves this way), so a client that backs off gets in as
soon as there is room. Every number can be changed, and ``None`` lifts that one limit.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

MINUTE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)


class LimitSettings(BaseModel):
    """What ``PUT /_sandbox/limits`` accepts: only the fields given change; null lifts a limit."""

    enabled: bool | None = None
    requests_per_minute: int | None = Field(None, ge=1, description="per realm")
    requests_per_second: int | None = Field(None, ge=1, description="per realm+app")
    concurrent: int | None = Field(None, ge=1, description="in flight per realm+app")
    batch_per_minute_app: int | None = Field(None, ge=1, description="per realm+app")
    batch_per_minute_realm: int | None = Field(None, ge=1, description="per realm")


@dataclass
class LimitConfig:
    enabled: bool = False
    requests_per_minute: int | None = 500
    requests_per_second: int | None = 10
    concurrent: int | None = 10
    batch_per_minute_app: int | None = 40
    batch_per_minute_realm: int | None = 120

    def apply(self, settings: LimitSettings) -> None:
        for name, value in settings.model_dump(exclude_unset=True).items():
            if name == "enabled" and value is None:
                continue  # "enabled": null means nothing; it is not a limit to lift
            setattr(self, name, value)


@dataclass(frozen=True)
class Caller:
    """Whom the limits count: the company and the OAuth app behind the bearer token."""

    realm_id: str
    app: str  # the client id; "" when the token is unknown (the gateway answers before auth)


@dataclass(frozen=True)
class Admission:
    refused_by: str | None = None  # the limit's field name; None: admitted
    slot: Caller | None = None  # the in-flight slot to give back when the answer is sent


class SlidingWindow:
    """The times of the calls admitted in the last ``span``, per key."""

    def __init__(self, span: timedelta) -> None:
        self.span = span
        self._admitted: dict[Hashable, deque[datetime]] = {}

    def full(self, key: Hashable, limit: int, now: datetime) -> bool:
        times = self._admitted.get(key)
        if times is None:
            return False
        cutoff = now - self.span
        while times and times[0] <= cutoff:
            times.popleft()
        return len(times) >= limit

    def add(self, key: Hashable, now: datetime) -> None:
        self._admitted.setdefault(key, deque()).append(now)

    def clear(self) -> None:
        self._admitted.clear()


class Throttle:
    def __init__(self, config: LimitConfig | None = None) -> None:
        self.config = config or LimitConfig()
        self._per_minute = SlidingWindow(MINUTE)
        self._per_second = SlidingWindow(SECOND)
        self._batch_app = SlidingWindow(MINUTE)
        self._batch_realm = SlidingWindow(MINUTE)
        self._in_flight: Counter[Caller] = Counter()

    def configure(self, settings: LimitSettings) -> None:
        self.config.apply(settings)
        self.reset()

    def reset(self) -> None:
        """Forget past calls; calls in flight stay counted and give their slots back as they end."""
        for window in (self._per_minute, self._per_second, self._batch_app, self._batch_realm):
            window.clear()

    def in_flight(self, caller: Caller) -> int:
        return self._in_flight[caller]

    def admit(self, caller: Caller, now: datetime, *, batch: bool) -> Admission:
        """Admit the call (counting it and taking an in-flight slot) or name the limit it hits.

        Check and count happen with no await between them, so concurrent requests on one event
        loop cannot both take the last place.
        """
        config = self.config
        if not config.enabled:
            return Admission()
        if config.concurrent is not None and self._in_flight[caller] >= config.concurrent:
            return Admission(refused_by="concurrent")
        limits = [
            ("requests_per_second", config.requests_per_second, self._per_second, caller),
            ("requests_per_minute", config.requests_per_minute, self._per_minute, caller.realm_id),
        ]
        if batch:
            limits += [
                ("batch_per_minute_app", config.batch_per_minute_app, self._batch_app, caller),
                ("batch_per_minute_realm", config.batch_per_minute_realm, self._batch_realm,
                 caller.realm_id),
            ]  # fmt: skip
        # a lifted limit (None) keeps no times: nothing would ever prune them
        active = [(name, limit, window, key) for name, limit, window, key in limits if limit]
        for name, limit, window, key in active:
            if window.full(key, limit, now):
                return Admission(refused_by=name)
        for _, _, window, key in active:
            window.add(key, now)
        self._in_flight[caller] += 1
        return Admission(slot=caller)

    def release(self, admission: Admission) -> None:
        caller = admission.slot
        if caller is None:
            return
        self._in_flight[caller] -= 1
        if self._in_flight[caller] <= 0:
            del self._in_flight[caller]
