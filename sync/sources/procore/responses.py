"""Reading Procore responses: error messages, the error taxonomy, and how long to wait."""

from __future__ import annotations

import json
from datetime import datetime

import httpx

from sync.errors import AuthError, CostbridgeError, FatalError, NotFoundError, RetryableError

SYSTEM = "procore"


def procore_message(response: httpx.Response) -> str:
    """Procore's own words from any of its error shapes (v1 ``errors``, v2 ``error``, OAuth)."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return response.text.strip()[:500]
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:500]
        if body.get("error_description"):
            return str(body["error_description"])[:500]
        for key in ("errors", "error", "message"):
            if body.get(key):
                value = body[key]
                return (value if isinstance(value, str) else json.dumps(value))[:500]
    return response.text.strip()[:500]


def error_for(response: httpx.Response, *, action: str) -> CostbridgeError:
    """The taxonomy error for a non-2xx response (429/503 are handled by the retry loop)."""
    status, detail = response.status_code, procore_message(response)
    code = str(status)
    if status == 404:
        return NotFoundError(
            f"Procore: not found ({action})", system=SYSTEM, code=code, detail=detail
        )
    if status in {401, 403}:
        return AuthError(
            f"Procore refused our credentials ({action})", system=SYSTEM, code=code, detail=detail
        )
    if status == 429 or status >= 500:
        return RetryableError(
            f"Procore is unavailable ({action})", system=SYSTEM, code=code, detail=detail
        )
    return FatalError(
        f"Procore rejected the request ({action})", system=SYSTEM, code=code, detail=detail
    )


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # e.g. an HTTP-date Retry-After: fall back to the other hints


def retry_wait(response: httpx.Response, now: datetime, attempt: int) -> float:
    """Seconds to wait before a retry: Retry-After, else the window reset, else backoff."""
    retry_after = _float(response.headers.get("retry-after"))
    if retry_after is not None:
        return max(retry_after, 0.0)
    reset = _reset(response)
    if reset is not None:
        return max(reset - now.timestamp(), 0.0)
    return float(2**attempt)


def _reset(response: httpx.Response) -> float | None:
    # X-Rate-Limit-Reset is in whole seconds: the window may end anywhere in the second after
    # it, and a call in that second would be refused (and counted).
    reset = _float(response.headers.get("x-rate-limit-reset"))
    return reset + 1.0 if reset is not None else None


def exhausted_until(response: httpx.Response) -> float | None:
    """The unix time the window resets when this response used the last allowed call."""
    if response.headers.get("x-rate-limit-remaining") != "0":
        return None
    return _reset(response)
