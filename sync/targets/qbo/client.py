"""Async client for the QBO Accounting API v3: tokens, retries, error taxonomy, logging.

One instance serves one company (realm). Writes carry the caller's deterministic ``requestid``
on every attempt, so a retry after a lost answer is deduplicated by QBO (research §6.1).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import structlog

from sync.clock import Clock
from sync.errors import AuthError, FatalError, RetryableError, SystemAwayError
from sync.health.signals import Report, no_report
from sync.targets.qbo import jsonio
from sync.targets.qbo.faults import SYSTEM, classify
from sync.targets.qbo.pacing import Pace
from sync.targets.qbo.tokens import TokenSet, TokenStore

log = structlog.get_logger("sync.targets.qbo")

REFRESH_MARGIN = timedelta(minutes=5)  # refresh this long before the access token dies
THROTTLE_WAIT = 60.0  # Intuit: "wait 60 seconds before retrying" a 429


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("Retry-After", "")
    try:
        return max(float(raw), 0.0) if raw else None
    except ValueError:
        return None  # an HTTP-date: fall back to the documented 60 s


def quote(value: str) -> str:
    """A string literal for QBO's query language (backslash escapes, research §4)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class QboClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        api_base: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        realm_id: str,
        token_store: TokenStore,
        initial_refresh_token: str = "",
        minor_version: int = 75,
        clock: Clock,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_retries: int = 3,
        throttle_wait: float = THROTTLE_WAIT,
        jitter: Callable[[], float] = lambda: random.uniform(0.0, 0.2),
        report: Report = no_report,
        pace: Pace | None = None,
    ) -> None:
        """``api_base`` is the host root (``https://quickbooks.api.intuit.com``)."""
        self._http = http
        self._company_url = f"{api_base.rstrip('/')}/v3/company/{realm_id}"
        self._token_url = token_url
        self._client_auth = (client_id, client_secret)
        self.realm_id = realm_id
        self._store = token_store
        self._initial_refresh_token = initial_refresh_token
        self._minor_version = str(minor_version)
        self._clock = clock
        self._sleep = sleep
        self._max_retries = max_retries
        self._throttle_wait = throttle_wait
        self._jitter = jitter
        self._tokens: TokenSet | None = None
        self._refresh_lock = asyncio.Lock()
        self._report = report  # connection health: refused tokens, long throttling
        self._pace = pace or Pace(clock, sleep)  # under QBO's throttles, not into them

    # --- tokens --------------------------------------------------------------------------
    def _fresh(self, tokens: TokenSet | None) -> bool:
        return tokens is not None and tokens.access_expires_at - self._clock.now() > REFRESH_MARGIN

    async def _access_token(self) -> str:
        if self._tokens is None:
            self._tokens = await self._store.load()
        if self._fresh(self._tokens):
            assert self._tokens is not None
            return self._tokens.access_token
        async with self._refresh_lock:  # single flight: one refresh, everyone else waits
            if not self._fresh(self._tokens):
                await self._refresh()
            assert self._tokens is not None
            return self._tokens.access_token

    async def _refresh_after_401(self, rejected: str) -> None:
        async with self._refresh_lock:
            if self._tokens is None or self._tokens.access_token == rejected:
                await self._refresh()

    async def _refresh(self, *, raced: bool = False) -> None:
        """Rotate the pair; the new one is saved before anything uses it (research §8)."""
        # re-read: another worker may have rotated the refresh token since we cached it
        stored = await self._store.load()
        refresh_token = stored.refresh_token if stored else self._initial_refresh_token
        if not refresh_token:
            raise AuthError("QuickBooks is not connected: no refresh token", system=SYSTEM)
        try:
            response = await self._http.post(
                self._token_url,
                auth=self._client_auth,
                data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                headers={"Accept": "application/json"},
            )
        except httpx.TransportError as exc:
            raise RetryableError(
                "could not reach the QuickBooks token endpoint", system=SYSTEM, detail=str(exc)
            ) from exc
        log.info("qbo.token_refresh", status=response.status_code, realm_id=self.realm_id)
        if response.status_code >= 500:
            raise RetryableError(
                "QuickBooks token endpoint failed", system=SYSTEM, code=str(response.status_code)
            )
        body = jsonio.loads(response.content) if response.content else {}
        if response.status_code != 200:
            latest = await self._store.load()
            if not raced and latest is not None and latest.refresh_token != refresh_token:
                # Another process rotated the pair while we asked: ours died, theirs is good.
                self._tokens = latest
                if not self._fresh(latest):
                    await self._refresh(raced=True)
                return
            error = str(body.get("error", "")) if isinstance(body, dict) else ""
            raise AuthError(
                "QuickBooks refused the refresh token: reconnect QuickBooks",
                system=SYSTEM,
                code=error or str(response.status_code),
                detail=str(body.get("error_description", "")) if isinstance(body, dict) else "",
            )
        now = self._clock.now()
        tokens = TokenSet(
            access_token=str(body["access_token"]),
            refresh_token=str(body["refresh_token"]),
            access_expires_at=now + timedelta(seconds=int(body.get("expires_in", 3600))),
            refresh_expires_at=now
            + timedelta(seconds=int(body.get("x_refresh_token_expires_in", 8_726_400))),
        )
        await self._store.save(tokens)
        self._tokens = tokens

    # --- the call loop -------------------------------------------------------------------
    async def _call(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str = "application/json",
        params: dict[str, str] | None = None,
        write: bool = False,
        request_id: str | None = None,
        reading_one: bool = False,
    ) -> Any:
        query = {"minorversion": self._minor_version, **(params or {})}
        if request_id is not None:
            query["requestid"] = request_id
        throttled = [0]
        try:
            answer = await self._attempts(
                method, path, body, content_type, query, write, request_id, reading_one, throttled
            )
        except AuthError as exc:
            self._report("auth_failed", str(exc))
            raise
        except (RetryableError, SystemAwayError) as exc:
            if throttled[0]:
                self._report("throttled", str(exc))
            raise
        except Exception:
            # Any other answer (a validation fault, a missing record) still proves the
            # connection works: QuickBooks accepted our token.
            self._report("throttled" if throttled[0] else "ok", "")
            raise
        self._report("throttled" if throttled[0] else "ok", "")
        return answer

    async def _attempts(
        self,
        method: str,
        path: str,
        body: bytes | None,
        content_type: str,
        query: dict[str, str],
        write: bool,
        request_id: str | None,
        reading_one: bool,
        throttled: list[int],
    ) -> Any:
        refreshed = False
        while True:
            token = await self._access_token()
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            if body is not None:
                headers["Content-Type"] = content_type
            try:
                async with self._pace.slot():
                    started = time.monotonic()
                    response = await self._http.request(
                        method,
                        f"{self._company_url}/{path}",
                        params=query,
                        content=body,
                        headers=headers,
                    )
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # nothing reached QuickBooks: safe to retry without a look-up
                self._log(method, path, None, None, request_id, started, error=type(exc).__name__)
                raise RetryableError(
                    "could not connect to QuickBooks", system=SYSTEM, detail=str(exc)
                ) from exc
            except httpx.TransportError as exc:
                self._log(method, path, None, None, request_id, started, error=type(exc).__name__)
                raise RetryableError(
                    "QuickBooks did not answer (timeout or dropped connection)",
                    system=SYSTEM,
                    detail=type(exc).__name__,
                    outcome_unknown=write,
                ) from exc
            tid = response.headers.get("intuit_tid")
            self._log(method, path, response.status_code, tid, request_id, started)
            if response.status_code == 401 and not refreshed:
                refreshed = True  # refresh once, then the same request (same requestid) again
                await self._refresh_after_401(token)
                continue
            if response.status_code == 429:
                wait = _retry_after(response)
                if throttled[0] >= self._max_retries:
                    # Rate-limited: QuickBooks is known to be away for a while; waiting for it
                    # spends no attempt (a 429 is refused before anything is applied).
                    raise SystemAwayError(
                        "QuickBooks is throttling requests",
                        system=SYSTEM,
                        code="3001",
                        retry_after=wait if wait is not None else self._throttle_wait,
                    )
                throttled[0] += 1
                await self._sleep(wait if wait is not None else self._backoff())
                continue
            return self._parse(response, write=write, reading_one=reading_one)

    def _backoff(self) -> float:
        return self._throttle_wait * (1.0 + self._jitter())

    def _parse(self, response: httpx.Response, *, write: bool, reading_one: bool) -> Any:
        try:
            parsed = jsonio.loads(response.content) if response.content else None
        except ValueError:
            parsed = None
        if response.status_code == 401:
            raise AuthError(
                "QuickBooks refused the access token after a refresh: reconnect QuickBooks",
                system=SYSTEM,
                code="3200",
            )
        if response.status_code >= 300:
            raise classify(response.status_code, parsed, write=write, reading_one=reading_one)
        if not isinstance(parsed, dict):
            raise FatalError("QuickBooks answered without a JSON object", system=SYSTEM)
        return parsed

    def _log(
        self,
        method: str,
        path: str,
        status: int | None,
        tid: str | None,
        request_id: str | None,
        started: float,
        error: str | None = None,
    ) -> None:
        log.info(
            "qbo.call",
            method=method,
            path=path.split("?")[0],
            status=status,
            intuit_tid=tid,
            request_id=request_id,
            realm_id=self.realm_id,
            elapsed_ms=round((time.monotonic() - started) * 1000, 1),
            error=error,
        )

    # --- the API -------------------------------------------------------------------------
    async def read(self, entity: str, entity_id: str) -> dict[str, Any]:
        """One object by id; ``NotFoundError`` when it is gone (deleted)."""
        body = await self._call("GET", f"{entity.lower()}/{entity_id}", reading_one=True)
        return dict(body[entity])

    async def query(self, statement: str) -> dict[str, Any]:
        """The ``QueryResponse`` (``{}`` when nothing matched). Sent as a POST body so long
        statements never hit URL limits."""
        body = await self._call(
            "POST", "query", body=statement.encode(), content_type="application/text"
        )
        return dict(body.get("QueryResponse") or {})

    async def query_all(
        self, entity: str, where: str = "", page_size: int = 1000
    ) -> list[dict[str, Any]]:
        """Every row, page by page (STARTPOSITION is 1-based; MAXRESULTS at most 1000)."""
        rows: list[dict[str, Any]] = []
        clause = f" WHERE {where}" if where else ""
        while True:
            page = await self.query(
                f"SELECT * FROM {entity}{clause} ORDERBY Id "  # noqa: S608 - QBO query, values quoted by quote()
                f"STARTPOSITION {len(rows) + 1} MAXRESULTS {page_size}"
            )
            batch = page.get(entity) or []
            rows.extend(batch)
            if len(batch) < page_size:
                return rows

    async def write(
        self,
        entity: str,
        body: dict[str, Any],
        *,
        request_id: str,
        operation: str | None = None,
    ) -> dict[str, Any]:
        """Create, update (body has Id/SyncToken), ``delete`` or ``void``; returns the object."""
        params = {"operation": operation} if operation else None
        answer = await self._call(
            "POST",
            entity.lower(),
            body=jsonio.dumps(body),
            params=params,
            write=True,
            request_id=request_id,
        )
        return dict(answer[entity])

    async def batch(self, items: list[dict[str, Any]], *, request_id: str) -> list[dict[str, Any]]:
        """Up to 30 items; each answer holds its entity, ``Fault`` or ``QueryResponse``.
        Use :func:`sync.targets.qbo.faults.classify` (status 200) on an item's Fault."""
        if len(items) > 30:
            raise FatalError("a QuickBooks batch holds at most 30 items", system=SYSTEM)
        answer = await self._call(
            "POST",
            "batch",
            body=jsonio.dumps({"BatchItemRequest": items}),
            write=True,
            request_id=request_id,
        )
        return list(answer.get("BatchItemResponse") or [])

    async def preferences(self) -> dict[str, Any]:
        body = await self._call("GET", "preferences")
        return dict(body["Preferences"])
