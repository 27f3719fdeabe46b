"""OAuth 2.0 as QBO does it: Basic-authenticated refresh grant, rotating refresh tokens.

Every refresh returns a new refresh token and retires the one presented (research §8: the
old token gives ``invalid_grant`` on its next use). Access tokens last 3600 s by the injected
clock; an expired or unknown one is refused with the lower-case 401 body.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

ACCESS_TTL = timedelta(seconds=3600)
REFRESH_TTL = timedelta(seconds=8_726_400)  # rolling ~101 days
HARD_TTL = timedelta(days=5 * 365)


class OAuthError(Exception):
    """A token-endpoint refusal: ``error`` is the OAuth error code, ``status`` the HTTP one."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@dataclass
class RefreshGrant:
    realm_id: str
    client_id: str
    expires_at: datetime
    hard_expires_at: datetime
    live: bool = True


@dataclass(frozen=True)
class AccessGrant:
    realm_id: str
    client_id: str  # the app: QBO's per-second, in-flight and batch limits are per realm+app
    expires_at: datetime


@dataclass
class AuthState:
    apps: dict[str, str] = field(default_factory=dict)  # client_id -> client_secret
    refresh: dict[str, RefreshGrant] = field(default_factory=dict)
    access: dict[str, AccessGrant] = field(default_factory=dict)

    def register_app(self, client_id: str, client_secret: str) -> None:
        self.apps[client_id] = client_secret

    def issue_refresh_token(self, client_id: str, realm_id: str, now: datetime) -> str:
        if client_id not in self.apps:
            raise KeyError(f"unknown OAuth app {client_id!r}")
        token = "RT1-" + secrets.token_urlsafe(24)
        self.refresh[token] = RefreshGrant(realm_id, client_id, now + REFRESH_TTL, now + HARD_TTL)
        return token

    def issue_access_token(self, realm_id: str, client_id: str, now: datetime) -> str:
        token = "eyJ" + secrets.token_urlsafe(32)
        self.access[token] = AccessGrant(realm_id, client_id, now + ACCESS_TTL)
        return token

    def _client(self, authorization: str | None) -> str:
        scheme, _, encoded = (authorization or "").partition(" ")
        if scheme.lower() != "basic":
            raise OAuthError("invalid_client", "Client authentication failed", 401)
        try:
            client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise OAuthError("invalid_client", "Client authentication failed", 401) from exc
        if self.apps.get(client_id) != secret or not secret:
            raise OAuthError("invalid_client", "Client authentication failed", 401)
        return client_id

    def refresh_grant(
        self, authorization: str | None, form: dict[str, str], now: datetime
    ) -> dict[str, Any]:
        """Answer ``grant_type=refresh_token``: a new access token and a rotated refresh token."""
        client_id = self._client(authorization)
        if form.get("grant_type") != "refresh_token":
            raise OAuthError("unsupported_grant_type", "Only refresh_token is emulated")
        grant = self.refresh.get(form.get("refresh_token", ""))
        if (
            grant is None
            or not grant.live
            or grant.client_id != client_id
            or now >= min(grant.expires_at, grant.hard_expires_at)
        ):
            raise OAuthError("invalid_grant", "Token has been expired or revoked.")
        grant.live = False  # rotation: the presented token is spent
        new_refresh = self.issue_refresh_token(client_id, grant.realm_id, now)
        # the hard five-year ceiling carries over from the original authorisation
        self.refresh[new_refresh].hard_expires_at = grant.hard_expires_at
        return {
            "token_type": "bearer",
            "access_token": self.issue_access_token(grant.realm_id, client_id, now),
            "expires_in": int(ACCESS_TTL.total_seconds()),
            "refresh_token": new_refresh,
            "x_refresh_token_expires_in": int(REFRESH_TTL.total_seconds()),
            "x_refresh_token_hard_expires_in": int((grant.hard_expires_at - now).total_seconds()),
        }

    def app_of(self, authorization: str | None) -> str:
        """The client id behind a bearer token, valid or not; "" when the token is unknown."""
        _, _, token = (authorization or "").partition(" ")
        grant = self.access.get(token)
        return grant.client_id if grant else ""

    def check_bearer(self, authorization: str | None, realm_id: str, now: datetime) -> str | None:
        """None when the bearer token may act on ``realm_id``; otherwise why not (for the 401)."""
        scheme, _, token = (authorization or "").partition(" ")
        grant = self.access.get(token) if scheme.lower() == "bearer" else None
        if grant is None:
            return "Token invalid: the access token is malformed or unknown."
        if now >= grant.expires_at:
            return "Token expired: the access token has expired. Refresh it."
        if grant.realm_id != realm_id:
            return "Token invalid: the access token was not issued for this company."
        return None
