"""Who may change mappings or post: Slack user ids and/or the members of one user group."""

from __future__ import annotations

import time

import structlog
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from sync.settings import Settings

log = structlog.get_logger("costbridge.slack")
GROUP_TTL_SECONDS = 300.0  # group membership rarely changes; Slack rate-limits the lookup


class Approvers:
    def __init__(self, settings: Settings, client: AsyncWebClient | None) -> None:
        self._ids = frozenset(u.strip() for u in settings.slack_approvers.split(",") if u.strip())
        self._group = settings.slack_approver_group.strip()
        self._client = client
        self._members: frozenset[str] = frozenset()
        self._fetched_at = float("-inf")

    async def allows(self, user_id: str) -> bool:
        if user_id in self._ids:
            return True
        if not self._group or self._client is None:
            return False
        return user_id in await self._group_members()

    async def _group_members(self) -> frozenset[str]:
        if time.monotonic() - self._fetched_at < GROUP_TTL_SECONDS:
            return self._members
        assert self._client is not None
        try:
            resp = await self._client.usergroups_users_list(usergroup=self._group)
        except SlackApiError as exc:
            # Fail closed: nobody from the group is an approver until Slack answers again.
            log.warning("slack.approver_group_failed", error=str(exc.response.get("error")))
            return frozenset()
        self._members = frozenset(resp.get("users") or [])
        self._fetched_at = time.monotonic()
        return self._members
