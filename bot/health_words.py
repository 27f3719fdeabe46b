"""Connection health in plain words (pure): who, what is wrong, what to do, what recovery says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.blocks.alerts import HealthView
from db.models_health import ConnectionHealth

_RUNBOOK = "docs/runbook.md, “Connection alerts”"


@dataclass(frozen=True)
class HealthFacts:
    """What ``connection_health`` holds, as the words need it."""

    connection: str
    condition: str
    state: str
    since: datetime | None
    last_seen: datetime | None
    count: int
    detail: str


def facts_of(row: ConnectionHealth) -> HealthFacts:
    return HealthFacts(
        connection=row.connection,
        condition=row.condition,
        state=row.state,
        since=row.since,
        last_seen=row.last_seen,
        count=row.count,
        detail=row.detail,
    )


def system_name(connection: str) -> str:
    if connection.startswith("qbd:"):
        return f"QuickBooks Desktop ({connection.removeprefix('qbd:')})"
    return {"qbo": "QuickBooks", "procore": "Procore"}.get(connection, connection)


def _at(when: datetime | None) -> str:
    return f"{when:%Y-%m-%d %H:%M} UTC" if when is not None else "-"


def _minutes(facts: HealthFacts) -> int:
    if facts.since is None or facts.last_seen is None:
        return 0
    return int((facts.last_seen - facts.since).total_seconds() // 60)


def health_view(facts: HealthFacts) -> HealthView:
    system = system_name(facts.connection)
    if facts.condition == "stale":
        company = facts.connection.removeprefix("qbd:")
        title = f"The Web Connector for {company} has stopped polling"
        problem = (
            f"The QuickBooks Web Connector for the company file {company} has not called "
            f"costbridge for too long ({facts.detail}). Documents for it wait in the queue."
        )
        advice = (
            "On the office PC: is it on, is QuickBooks open with this company file, and is the "
            f"Web Connector running with Auto-Run ticked? See {_RUNBOOK}."
        )
        back = f"The Web Connector for {company} is polling again"
    elif facts.condition == "rate_limit":
        title = f"{system} has been rate limiting costbridge for {_minutes(facts)} minutes"
        problem = (
            f"{system} keeps answering “too many requests” or has no calls left in its window; "
            "costbridge waits and retries, so syncs are slow, not lost."
        )
        advice = (
            f"It usually passes by itself. If it lasts, look for another integration using the "
            f"same {system} quota. See {_RUNBOOK}."
        )
        back = f"{system} is no longer rate limiting costbridge"
    else:
        title = f"{system} refused costbridge's credentials"
        problem = f"Nothing can sync with {system} until it is reconnected."
        if facts.connection == "qbo":
            advice = (
                "Reconnect QuickBooks (docs/runbook.md, “Reconnect QuickBooks”), then "
                "`/sync retry failed`."
            )
        else:
            advice = (
                f"Check the {system} client id and secret and that the app is still installed "
                f"for the company ({_RUNBOOK}), then `/sync retry failed`."
            )
        back = f"{system} is connected again"
    return HealthView(
        title=title,
        problem=problem,
        advice=advice,
        detail=facts.detail,
        since=_at(facts.since),
        last_seen=_at(facts.last_seen),
        count=facts.count,
        resolved=facts.state != "open",
        resolved_title=back,
    )
