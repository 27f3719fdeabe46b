"""OAuth 2.0 client credentials (research §2.2), bearer checks and the company header."""

from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import cast
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.procore.http_errors import ProcoreHttpError
from sandbox.procore.records import AccessToken
from sandbox.procore.state import ProcoreState

TOKEN_LIFETIME = 5400  # seconds (90 min), as documented
router = APIRouter()


def get_state(request: Request) -> ProcoreState:
    return cast(ProcoreState, request.app.state.procore)


@dataclass(frozen=True)
class Caller:
    """Who is calling: the app (OAuth client) and the company it names in the header."""

    client_id: str
    company_id: int


def bearer_token(request: Request, state: ProcoreState) -> AccessToken | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    token = state.tokens.get(value.strip()) if scheme.lower() == "bearer" else None
    if token is None or token.expires_at <= state.now():
        return None
    return token


def caller(request: Request) -> Caller:
    """FastAPI dependency for every ``/rest`` route: 401, 400 or 403 before any work."""
    state = get_state(request)
    token = bearer_token(request, state)
    if token is None:
        raise ProcoreHttpError(
            401, "The access token is invalid or has expired.", code="unauthorized"
        )
    header = request.headers.get("procore-company-id", "").strip()
    if not header:
        raise ProcoreHttpError(400, "Missing Procore-Company-Id header!")
    client = state.clients[token.client_id]
    if not header.isdigit() or int(header) not in client.company_ids:
        raise ProcoreHttpError(403, "App is not connected to this company", code="forbidden")
    return Caller(token.client_id, int(header))


async def _form(request: Request) -> dict[str, str]:
    # Parsed by hand: form fields per the docs, JSON tolerated; no python-multipart needed.
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        data = json.loads(raw or b"{}")
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return dict(parse_qsl(raw.decode()))


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


@router.post("/oauth/token")
async def issue_token(request: Request) -> JSONResponse:
    state = get_state(request)
    form = await _form(request)
    if form.get("grant_type") != "client_credentials":
        return _oauth_error(
            400, "unsupported_grant_type", "The authorization grant type is not supported."
        )
    client = state.clients.get(form.get("client_id", ""))
    secret = form.get("client_secret", "").encode()
    if client is None or not hmac.compare_digest(client.client_secret.encode(), secret):
        return _oauth_error(401, "invalid_client", "Client authentication failed.")
    now = state.now()
    token = AccessToken(
        secrets.token_urlsafe(32), client.client_id, now, now + timedelta(seconds=TOKEN_LIFETIME)
    )
    state.tokens[token.token] = token
    return JSONResponse(
        {
            "access_token": token.token,
            "token_type": "bearer",
            "expires_in": TOKEN_LIFETIME,
            "created_at": int(now.timestamp()),
        }
    )


@router.get("/oauth/token/info")
async def token_info(request: Request) -> JSONResponse:
    state = get_state(request)
    token = bearer_token(request, state)
    if token is None:
        return _oauth_error(401, "invalid_token", "The access token is invalid or has expired.")
    remaining = int((token.expires_at - state.now()).total_seconds())
    return JSONResponse(
        {
            "resource_owner_id": None,
            "scope": [],
            "expires_in_seconds": remaining,
            "application": {"uid": token.client_id},
            "created_at": int(token.created_at.timestamp()),
        }
    )
