"""``POST /slack/events``: events, slash commands, interactivity and options requests."""

from __future__ import annotations

import time

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.exc import SQLAlchemyError

from bot.app import build_bolt_app
from bot.runtime import attach
from sync.service import Service

log = structlog.get_logger("costbridge.slack")
MAX_BODY_BYTES = 1024 * 1024  # interactivity payloads carry whole messages; far below this
NOT_CONFIGURED = "Slack is not configured: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN"


def mount_slack(app: FastAPI, svc: Service) -> None:
    """Mount the Slack endpoint; without settings it still answers clearly (401 / 503)."""
    bot = attach(svc)
    secret = svc.settings.slack_signing_secret
    if secret is None or bot.client is None:
        verifier = SignatureVerifier(secret.get_secret_value()) if secret is not None else None

        @app.post("/slack/events")
        async def slack_not_configured(request: Request) -> JSONResponse:
            body = await request.body()
            if verifier is not None and not verifier.is_valid_request(body, dict(request.headers)):
                return JSONResponse({"error": "invalid request"}, status_code=401)
            return JSONResponse({"error": NOT_CONFIGURED}, status_code=503)

        return

    bot.bolt_app = build_bolt_app(svc, bot, secret.get_secret_value())
    handler = AsyncSlackRequestHandler(bot.bolt_app)

    @app.post("/slack/events")
    async def slack_events(request: Request) -> Response:
        started = time.monotonic()
        if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
            return JSONResponse({"error": "body too large"}, status_code=413)
        try:
            response = await handler.handle(request)
        except SQLAlchemyError:
            # Not stored, so not acknowledged: Slack shows the person an error and they retry.
            log.exception("slack.store_failed")
            return JSONResponse({"error": "temporarily unavailable"}, status_code=503)
        log.info(
            "slack.request",
            status=response.status_code,
            retry=request.headers.get("x-slack-retry-num", ""),
            ms=round((time.monotonic() - started) * 1000),
        )
        return response
