"""Client-credentials access tokens, cached until shortly before they expire."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import structlog

from sync.clock import Clock
from sync.errors import AuthError, RetryableError
from sync.sources.procore.responses import SYSTEM, procore_message

log = structlog.get_logger("sync.sources.procore")
REFRESH_MARGIN = timedelta(seconds=120)  # fetch anew a little before the 90-minute expiry


@dataclass(frozen=True)
class _Token:
    value: str
    expires_at: datetime


class TokenSource:
    """Fetches and caches one bearer token; ``invalidate`` after a 401 forces a new one."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        oauth_base: str,
        client_id: str,
        client_secret: str,
        clock: Clock,
    ) -> None:
        self._http = http
        self._url = oauth_base.rstrip("/") + "/oauth/token"
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        }
        self._clock = clock
        self._token: _Token | None = None
        self._lock = asyncio.Lock()  # concurrent callers share one fetch

    def invalidate(self) -> None:
        self._token = None

    async def get(self) -> str:
        async with self._lock:
            token = self._token
            if token is None or self._clock.now() >= token.expires_at - REFRESH_MARGIN:
                token = self._token = await self._fetch()
            return token.value

    async def _fetch(self) -> _Token:
        try:
            response = await self._http.post(self._url, data=self._form)
        except httpx.TimeoutException:
            raise RetryableError(
                "Procore token request timed out", system=SYSTEM, code="timeout"
            ) from None
        except httpx.TransportError as exc:
            raise RetryableError(
                "Procore token request failed",
                system=SYSTEM,
                code="network",
                detail=type(exc).__name__,
            ) from None
        log.info("procore.token", status=response.status_code)
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(
                "Procore token endpoint unavailable", system=SYSTEM, code=str(response.status_code)
            )
        if response.status_code != 200:
            raise AuthError(
                "Procore refused the client credentials",
                system=SYSTEM,
                code=str(response.status_code),
                detail=procore_message(response),
            )
        body = response.json()
        value, lifetime = body.get("access_token"), body.get("expires_in")
        if not isinstance(value, str) or not isinstance(lifetime, int):
            raise AuthError("Procore token response lacks access_token/expires_in", system=SYSTEM)
        return _Token(value, self._clock.now() + timedelta(seconds=lifetime))
