"""The OAuth token endpoint and a discovery document that points at it (research §8)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.qbo.auth import OAuthError
from sandbox.qbo.pipeline import delay, state_of

TOKEN_PATH = "/oauth2/v1/tokens/bearer"  # noqa: S105 - a URL path, not a secret
router = APIRouter()


@router.post(TOKEN_PATH)
async def token(request: Request) -> JSONResponse:
    state = state_of(request)
    # parsed by hand: the form is tiny and python-multipart is not a dependency
    form = dict(parse_qsl((await request.body()).decode()))
    await delay(state)
    try:
        body = state.auth.refresh_grant(request.headers.get("authorization"), form, state.now())
    except OAuthError as exc:
        return JSONResponse(exc.body(), status_code=exc.status)
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/.well-known/openid_configuration")
async def discovery(request: Request) -> dict[str, str]:
    base = str(request.base_url).rstrip("/")
    return {
        "issuer": "https://oauth.platform.intuit.com/op/v1",
        "authorization_endpoint": f"{base}/connect/oauth2",
        "token_endpoint": f"{base}{TOKEN_PATH}",
        "revocation_endpoint": f"{base}/v2/oauth2/tokens/revoke",
        "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
        "jwks_uri": f"{base}/op/v1/jwks",
    }
