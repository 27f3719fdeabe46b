"""Procore's two rate-limit windows (hourly + 10-second spike) and injected 429/503 faults."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# The documented 429 body (research §2.3, older doc).
TOO_MANY_REQUESTS = (
    "You have surpassed the max number of requests for an hour. "
    "Please wait until your limit resets."
)


@dataclass
class Window:
    name: str
    limit: int
    seconds: int


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # unix seconds

    def headers(self) -> dict[str, str]:
        return {
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(self.remaining),
            "X-Rate-Limit-Reset": str(self.reset),
        }


@dataclass
class Faults:
    """Fault switches: the next N API calls fail this way (before any real work)."""

    force_429: int = 0
    force_503: int = 0
    retry_after: int = 1  # seconds sent in Retry-After with the forced 503s


class RateLimiter:
    """Fixed windows per caller; every call counts, failed ones included (research §2.3)."""

    def __init__(self, hourly_limit: int = 3600, spike_limit: int = 100) -> None:
        self.windows = [Window("hourly", hourly_limit, 3600), Window("spike", spike_limit, 10)]
        self._state: dict[tuple[str, str], tuple[float, int]] = {}

    def configure(
        self,
        *,
        hourly_limit: int | None = None,
        spike_limit: int | None = None,
        hourly_seconds: int | None = None,
        spike_seconds: int | None = None,
    ) -> None:
        hourly, spike = self.windows
        hourly.limit = hourly_limit if hourly_limit is not None else hourly.limit
        hourly.seconds = hourly_seconds if hourly_seconds is not None else hourly.seconds
        spike.limit = spike_limit if spike_limit is not None else spike.limit
        spike.seconds = spike_seconds if spike_seconds is not None else spike.seconds
        self._state.clear()

    def hit(self, key: str, now: datetime) -> Decision:
        """Count one call by ``key`` and report the window it is closest to exhausting."""
        ts = now.timestamp()
        decisions = []
        for window in self.windows:
            start, count = self._state.get((key, window.name), (ts, 0))
            if ts >= start + window.seconds:
                start, count = ts, 0
            count += 1
            self._state[(key, window.name)] = (start, count)
            remaining = max(window.limit - count, 0)
            reset = int(start + window.seconds)
            decisions.append(Decision(count <= window.limit, window.limit, remaining, reset))
        refused = [d for d in decisions if not d.allowed]
        if refused:
            return max(refused, key=lambda d: d.reset)
        return min(decisions, key=lambda d: d.remaining)

    def peek_reset(self, key: str, now: datetime) -> int:
        """When the spike window of ``key`` resets (for forced 429s)."""
        spike = self.windows[1]
        start, _ = self._state.get((key, spike.name), (now.timestamp(), 0))
        return int(start + spike.seconds)
