"""The Slack Web API client, pointed at Slack or at the sandbox Slack by one setting."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from sync.settings import Settings


def slack_client(settings: Settings) -> AsyncWebClient | None:
    """None when no bot token is configured: nothing is ever sent then."""
    if settings.slack_bot_token is None:
        return None
    base = settings.slack_api_base_url
    client = AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=base if base.endswith("/") else base + "/",
        timeout=10,
    )
    # slack_sdk retries only connection errors by default; Slack's 429 says when to come back.
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    return client
