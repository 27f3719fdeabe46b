"""The HTTP surface: Procore webhooks, the health check, the Web Connector, and the routes
extensions mount (Slack)."""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from sync.engine.inbox import ingest
from sync.errors import InvalidEventError
from sync.service import Service
from sync.sources.base import UnauthorizedEventError
from sync.targets.qbd.operations import Qbwc
from sync.targets.qbd.web import mount_qbwc

log = structlog.get_logger("costbridge.web")
MAX_WEBHOOK_BYTES = 256 * 1024  # Procore events are thin (< 1 KB); anything huge is not one


def create_app(svc: Service) -> FastAPI:
    app = FastAPI(title="costbridge", docs_url=None, redoc_url=None)
    app.state.service = svc

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        try:
            async with svc.sessions() as session:
                await session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    @app.post("/webhooks/procore")
    async def procore_webhook(request: Request) -> JSONResponse:
        body = await request.body()
        if len(body) > MAX_WEBHOOK_BYTES:
            log.warning("webhook.rejected", reason="too large", size=len(body))
            return JSONResponse({"error": "body too large"}, status_code=413)
        try:
            result = await ingest(svc, "procore", request.headers, body)
        except UnauthorizedEventError:
            log.warning("webhook.rejected", reason="unauthorized")
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        except InvalidEventError as exc:
            log.warning("webhook.rejected", reason=str(exc))
            return JSONResponse({"error": str(exc)}, status_code=400)
        except SQLAlchemyError:
            # Not stored, so not acknowledged: Procore will deliver it again.
            log.exception("webhook.store_failed")
            return JSONResponse({"error": "temporarily unavailable"}, status_code=503)
        return JSONResponse({"status": result.outcome, "event_id": result.event_id})

    # The QuickBooks Web Connector's SOAP endpoint, always served.
    mount_qbwc(app, Qbwc(svc.sessions, svc.clock, svc.settings))
    for mount in svc.hooks.web:  # what extensions serve (Slack at /slack/events)
        mount(app, svc)
    return app
