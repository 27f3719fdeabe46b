"""The HTTP surface: Procore webhooks, the health check, the Web Connector, and the routes
extensions mount (Slack)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from sync.service import Service
from sync.targets.qbd.operations import Qbwc
from sync.targets.qbd.web import mount_qbwc
from sync.webhook_route import WebhookRoute


def create_app(svc: Service) -> FastAPI:
    app = FastAPI(title="costbridge", docs_url=None, redoc_url=None)
    app.state.service = svc
    # POST /webhooks/procore: answered ahead of FastAPI's routing (the hot path, see there).
    app.add_middleware(WebhookRoute, svc=svc)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        try:
            async with svc.sessions() as session:
                await session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    # The QuickBooks Web Connector's SOAP endpoint, always served.
    mount_qbwc(app, Qbwc(svc.sessions, svc.clock, svc.settings))
    for mount in svc.hooks.web:  # what extensions serve (Slack at /slack/events)
        mount(app, svc)
    return app
