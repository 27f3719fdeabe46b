"""Slack Web API calls from the worker, with Slack's failures in the engine's taxonomy.

A notice that cannot be delivered now is retried by the worker like any other work item
(``RetryableError``); one Slack will never accept (bad token, unknown channel) is ``FatalError``
and dead-lettered with the reason, never retried blindly.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from sync.errors import FatalError, RetryableError

_FATAL = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "missing_scope",
        "invalid_blocks",
        "invalid_arguments",
    }
)


async def call(request: Awaitable[AsyncSlackResponse]) -> dict[str, Any]:
    """Await one Web API call; its data, or a taxonomy error."""
    try:
        response = await request
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown"))
        if error in _FATAL:
            raise FatalError(
                f"Slack refused the call: {error}", system="slack", code=error
            ) from exc
        raise RetryableError(f"Slack error: {error}", system="slack", code=error) from exc
    except (TimeoutError, aiohttp.ClientError) as exc:
        raise RetryableError(f"Slack unreachable: {exc!r}", system="slack") from exc
    data = response.data
    return data if isinstance(data, dict) else {}
