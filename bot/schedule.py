"""The bot's scheduled job, registered on the service for the engine's scheduler."""

from __future__ import annotations

from typing import Any

from bot.services.digest import post_digest
from sync.service import ScheduledJob, Service


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


def digest_job(svc: Service) -> ScheduledJob | None:
    trigger = digest_trigger(svc)
    return None if trigger is None else ScheduledJob("slack_digest", post_digest, "cron", trigger)
