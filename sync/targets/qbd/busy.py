"""QuickBooks says the record is in use (3180 "modified by another user", 3170/3175/3176).

Someone has it open in QuickBooks; sending it again a few milliseconds later meets the same
lock. So the request waits, with the engine's backoff, for a later time *and* a later Web
Connector session (``outbox.due``); once its budget is spent a person decides, never a dead
letter after a burst of retries.
"""

from __future__ import annotations

from datetime import datetime

from db.models_qbd import QbdRequest
from sync.engine.retry import next_attempt_at
from sync.settings import Settings
from sync.targets.qbd import outbox
from sync.targets.qbd.responses import STATUS_IN_USE, Rs

IN_USE_CODES = frozenset({3170, 3175, 3176, STATUS_IN_USE})


def hold(row: QbdRequest, *, now: datetime, settings: Settings) -> bool:
    """Queue the row to go again later; False when it was sent again too often already
    (``qbd_max_attempts`` re-sends after such an answer)."""
    row.attempts += 1
    if row.attempts > settings.qbd_max_attempts:
        return False
    row.state = outbox.QUEUED
    row.retry_at = next_attempt_at(settings, row.attempts, now)
    return True


def waiting(row: QbdRequest, rs: Rs) -> str:
    """The history line while the row waits."""
    at = row.retry_at.isoformat() if row.retry_at else "later"
    return f"{rs.code}: {rs.message}; sent again in a later session, not before {at}"


def plain(rs: Rs, attempts: int, what: str) -> str:
    """Why a person is needed, in words: someone keeps the record open in QuickBooks."""
    return (
        f"{attempts} times QuickBooks Desktop answered that another user is changing the same "
        f"record ({rs.code}: {rs.message}), so {what} could not be saved. Ask whoever has it "
        "open in QuickBooks to save and close it, then try again."
    )
