"""The bot's scheduled jobs, added to the engine's APScheduler (``sync.scheduler``)."""

from __future__ import annotations

from typing import Any

from bot.services.digest import post_digest
from sync.service import Service


def digest_trigger(svc: Service) -> dict[str, Any] | None:
    """APScheduler cron arguments for the daily digest, or None when it is switched off."""
    when = svc.settings.slack_digest_time.strip()
    if not when or svc.settings.slack_bot_token is None:
        return None
    hour, _, minute = when.partition(":")
    return {
        "hour": int(hour),
        "minute": int(minute or 0),
        "timezone": svc.settings.slack_digest_timezone,
    }


def add_jobs(scheduler: Any, svc: Service) -> None:
    trigger = digest_trigger(svc)
    if trigger is not None:
        scheduler.add_job(
            post_digest,
            "cron",
            args=[svc],
            id="slack_digest",
            coalesce=True,
            max_instances=1,
            **trigger,
        )
