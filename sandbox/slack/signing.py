"""Slack's request signing (v0): HMAC-SHA256 over ``v0:<timestamp>:<raw body>``.

https://docs.slack.dev/authentication/verifying-requests-from-slack — written here from the
documentation, independently of slack_sdk's verifier, so the two check each other.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def signature(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, body: str, content_type: str, *, timestamp: int | None = None
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": signature(secret, ts, body),
    }
