"""The states of a document version (PRODUCT.md §7) and which ones are final."""

from __future__ import annotations

RECEIVED = "received"
FETCHED = "fetched"  # also: waiting for approval in the source
MAPPED = "mapped"
POSTING = "posting"
POSTED = "posted"
NEEDS_ATTENTION = "needs_attention"
FAILED = "failed"  # will retry at next_attempt_at
# Waiting for an outside system known to be away (e.g. QuickBooks Desktop before the Web
# Connector's first poll): no attempt spent; tries again at next_attempt_at or when it is back.
WAITING = "waiting"
DEAD = "dead"  # retries exhausted; payload and error kept as a dead letter
SKIPPED = "skipped"
SNOOZED = "snoozed"
SUPERSEDED = "superseded"

ALL = (
    RECEIVED,
    FETCHED,
    MAPPED,
    POSTING,
    POSTED,
    NEEDS_ATTENTION,
    FAILED,
    WAITING,
    DEAD,
    SKIPPED,
    SNOOZED,
    SUPERSEDED,
)
# A newer version replaces an older one that is in any of these states.
# (POSTING too: processing of one document is single-flight, so a version still marked
# posting when a newer one arrives is one whose worker died mid-write.)
REPLACEABLE = frozenset(
    {RECEIVED, FETCHED, MAPPED, POSTING, NEEDS_ATTENTION, FAILED, WAITING, SNOOZED}
)
# Versions in these states are not processed again unless a human asks (retry).
SETTLED = frozenset({POSTED, DEAD, SKIPPED, SUPERSEDED})
