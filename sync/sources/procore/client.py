"""``ProcoreClient``: authenticated, quota-aware, paginating async access to Procore REST."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx
import structlog

from sync.clock import Clock
from sync.errors import AuthError, FatalError, RetryableError, SystemAwayError
from sync.health.signals import Report, no_report
from sync.sources.procore.oauth import TokenSource
from sync.sources.procore.responses import SYSTEM, error_for, exhausted_until, retry_wait

log = structlog.get_logger("sync.sources.procore")
Params = Mapping[str, str | int]
MAX_PAGES = 10_000  # a safety stop should Link headers ever loop


def _jitter(wait: float) -> float:
    # Spread retries of many workers so they do not all return at the reset second.
    return random.uniform(0.0, min(1.0, 0.1 * wait + 0.05))


class ProcoreClient:
    """One company's view of Procore. Errors are ``sync.errors`` types; secrets never leave."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        api_base: str,
        oauth_base: str,
        client_id: str,
        client_secret: str,
        company_id: str,
        clock: Clock,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_retries: int = 4,
        max_wait: float = 60.0,
        jitter: Callable[[float], float] = _jitter,
        report: Report = no_report,
    ) -> None:
        self._http = http
        self._report = report  # connection health: refused credentials, long rate limiting
        self.api_base = api_base.rstrip("/")
        self.company_id = company_id
        self.clock = clock
        self._sleep = sleep
        self._max_retries = max_retries
        self._max_wait = max_wait
        self._jitter = jitter
        self._tokens = TokenSource(
            http,
            oauth_base=oauth_base,
            client_id=client_id,
            client_secret=client_secret,
            clock=clock,
        )
        self._window_reset: float | None = None  # set when the last call used the final quota

    async def get(self, path: str, params: Params | None = None) -> Any:
        """GET one resource; JSON numbers with a fraction come back as ``Decimal``."""
        return _json(await self.request("GET", self.api_base + path, params=params))

    async def get_all(
        self, path: str, params: Params | None = None, *, per_page: int = 100
    ) -> list[Any]:
        """Every item of a list endpoint, following ``Link: rel="next"`` (v2 ``data`` unwrapped)."""
        url: str | None = self.api_base + path
        query: Params | None = {**(params or {}), "per_page": per_page}
        items: list[Any] = []
        for _ in range(MAX_PAGES):
            if url is None:
                return items
            response = await self.request("GET", url, params=query)
            body = _json(response)
            page = body.get("data") if isinstance(body, dict) else body
            if not isinstance(page, list):
                raise FatalError(
                    f"Procore list {path} did not return a list", system=SYSTEM, code="shape"
                )
            items.extend(page)
            url, query = (
                response.links.get("next", {}).get("url"),
                None,
            )  # next URL carries the query
            if url is not None and _origin(url) != _origin(self.api_base):
                raise FatalError(
                    "Procore pagination pointed to another host", system=SYSTEM, code="shape"
                )
        raise FatalError(f"Procore list {path} did not end after {MAX_PAGES} pages", system=SYSTEM)

    async def patch(self, path: str, body: Mapping[str, Any]) -> Any:
        return _json(await self.request("PATCH", self.api_base + path, json_body=body))

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Params | None = None,
        json_body: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """One call with auth, quota waits and 429/503 retries; non-2xx become taxonomy errors."""
        throttled = [False]  # set by any wait for quota or 429 during this call
        try:
            response = await self._request(method, url, params, json_body, throttled)
        except AuthError as exc:
            self._report("auth_failed", str(exc))
            raise
        except SystemAwayError as exc:  # rate-limited past our retries: a wait, not a failure
            self._report("throttled", str(exc))
            raise
        self._report("throttled" if throttled[0] else "ok", "")
        return response

    async def _request(
        self,
        method: str,
        url: str,
        params: Params | None,
        json_body: Mapping[str, Any] | None,
        throttled: list[bool],
    ) -> httpx.Response:
        refreshed, attempt = False, 0
        while True:
            if await self._wait_for_window():
                throttled[0] = True
            response = await self._send(method, url, params, json_body)
            if response.status_code == 401 and not refreshed:
                self._tokens.invalidate()  # expired or revoked early: one fresh token, one retry
                refreshed = True
                continue
            if response.status_code in {429, 503}:
                throttled[0] = throttled[0] or response.status_code == 429
                full_wait = retry_wait(response, self.clock.now(), attempt)
                wait = min(full_wait, self._max_wait)
                # A window that resets later than we would sleep: asking again before it does
                # only spends more of the quota on 429s. Wait it out as a wait, at once.
                if attempt >= self._max_retries or (
                    response.status_code == 429 and full_wait > self._max_wait
                ):
                    error = error_for(response, action=f"{method} {urlsplit(url).path}")
                    # Rate-limited: Procore is known to be away until its window resets, so
                    # waiting spends no attempt. A 503 is a real failure: it spends one.
                    away = response.status_code == 429
                    raise (SystemAwayError if away else RetryableError)(
                        error.message,
                        system=SYSTEM,
                        code=error.code,
                        detail=error.detail,
                        retry_after=full_wait if away else wait,
                    )
                attempt += 1
                await self._sleep(wait + self._jitter(wait))
                continue
            if response.is_success:
                return response
            raise error_for(response, action=f"{method} {urlsplit(url).path}")

    async def _send(
        self, method: str, url: str, params: Params | None, json_body: Mapping[str, Any] | None
    ) -> httpx.Response:
        headers = {
            "Authorization": f"Bearer {await self._tokens.get()}",
            "Procore-Company-Id": self.company_id,
            "Accept": "application/json",
        }
        path, started = urlsplit(url).path, time.monotonic()
        try:
            response = await self._http.request(
                method, url, params=params, json=json_body, headers=headers
            )
        except httpx.TimeoutException:
            # A write that timed out may have been applied: the next attempt must look first.
            raise RetryableError(
                f"Procore timed out ({method} {path})", system=SYSTEM, code="timeout",
                outcome_unknown=method != "GET",
            ) from None  # fmt: skip
        except httpx.TransportError as exc:
            raise RetryableError(
                f"Procore unreachable ({method} {path})", system=SYSTEM, code="network",
                detail=type(exc).__name__, outcome_unknown=method != "GET",
            ) from None  # fmt: skip
        self._window_reset = exhausted_until(response)
        log.info(
            "procore.call",
            method=method,
            path=path,
            status=response.status_code,
            rate_limit_remaining=response.headers.get("x-rate-limit-remaining"),
            duration_ms=round((time.monotonic() - started) * 1000, 1),
        )
        return response

    async def _wait_for_window(self) -> bool:
        """The previous call used the last of the quota: wait for the window to reset.

        A short window (Procore's 10-second spike window) is slept through. A longer one (the
        hourly window) is not: ``SystemAwayError`` says until when, nothing is sent (a call
        now would only be refused and counted), and the engine parks the document without
        spending an attempt. True when it waited (rate limiting, for connection health)."""
        if self._window_reset is None:
            return False
        wait = self._window_reset - self.clock.now().timestamp()
        if wait <= 0:
            self._window_reset = None
            return False
        if wait > self._max_wait:
            raise SystemAwayError(
                "Procore's rate limit is used up until its window resets",
                system=SYSTEM,
                code="429",
                retry_after=wait,
            )
        self._window_reset = None
        await self._sleep(wait + self._jitter(wait))
        return True


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError:
        raise FatalError(
            "Procore returned a body that is not JSON", system=SYSTEM, code="shape"
        ) from None


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc
