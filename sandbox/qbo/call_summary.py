"""``GET /_sandbox/calls/summary``: the call log counted, for benchmarks and load tests.

Counted on request from ``QboState.calls`` rather than kept as running totals, so it can never
disagree with the log (tests clear and read the list directly); one pass over ten thousand
records takes milliseconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sandbox.qbo.state import CallRecord


def _by_status(counts: Counter[int]) -> dict[str, int]:
    return {str(status): n for status, n in sorted(counts.items())}


def summarize(calls: Iterable[CallRecord], realm_id: str | None = None) -> dict[str, Any]:
    """Counts overall, by status, by "METHOD entity" (each with its statuses), of batches
    (requests and items), of 429s by the limit that refused them, and of replays."""
    total = 0
    statuses: Counter[int] = Counter()
    by_call: dict[str, Counter[int]] = {}
    throttled: Counter[str] = Counter()
    batches = batch_items = replayed = 0
    for call in calls:
        if realm_id is not None and call.realm_id != realm_id:
            continue
        total += 1
        statuses[call.status] += 1
        by_call.setdefault(f"{call.method} {call.entity}", Counter())[call.status] += 1
        if call.batch:
            batches += 1
            batch_items += call.batch_items or 0
        if call.throttled_by is not None:
            throttled[call.throttled_by] += 1
        replayed += call.replayed
    return {
        "total": total,
        "by_status": _by_status(statuses),
        "by_call": {
            key: {"count": sum(counts.values()), "by_status": _by_status(counts)}
            for key, counts in sorted(by_call.items())
        },
        "batch": {"requests": batches, "items": batch_items},
        "throttled": dict(sorted(throttled.items())),
        "replayed": replayed,
    }
