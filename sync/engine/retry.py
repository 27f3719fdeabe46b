"""Retry timing: exponential backoff with a ceiling, honouring the remote's Retry-After."""

from __future__ import annotations

from datetime import datetime, timedelta

from sync.settings import Settings


class Reschedule(Exception):
    """Tell the worker to put the current work item back until ``at``."""

    def __init__(self, at: datetime) -> None:
        super().__init__(f"reschedule at {at.isoformat()}")
        self.at = at


def backoff_seconds(settings: Settings, attempts: int) -> float:
    """30 s, 60 s, 120 s, ... capped (attempts counts the failures so far, from 1)."""
    delay = settings.retry_base_seconds * (2 ** max(attempts - 1, 0))
    return float(min(delay, settings.retry_max_seconds))


def next_attempt_at(
    settings: Settings, attempts: int, now: datetime, *, retry_after: float | None = None
) -> datetime:
    delay = backoff_seconds(settings, attempts)
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.retry_max_seconds))
    return now + timedelta(seconds=delay)
