"""``create_app``: the Procore emulator as one ASGI app (in-process or under uvicorn)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from fastapi import FastAPI

from sandbox.procore import (
    admin,
    auth,
    routes_change_orders,
    routes_contracts,
    routes_directory,
    routes_webhooks,
)
from sandbox.procore.http_errors import ProcoreHttpError, render
from sandbox.procore.instruments import InstrumentMiddleware
from sandbox.procore.ratelimit_middleware import RateLimitMiddleware
from sandbox.procore.state import ProcoreState


def create_app(
    state: ProcoreState | None = None,
    *,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
) -> FastAPI:
    """A fresh emulator app over ``state`` (a new empty one when omitted).

    ``lifespan`` runs beside a server (``standalone``: webhook delivery); in-process callers
    leave it out and dispatch themselves.
    """
    app = FastAPI(
        title="Procore sandbox",
        docs_url="/_sandbox/docs",
        openapi_url="/_sandbox/openapi.json",
        lifespan=lifespan,
    )
    app.state.procore = state or ProcoreState()
    app.add_middleware(RateLimitMiddleware)
    app.add_middleware(InstrumentMiddleware)  # added last, so outside: it sees the 429s too
    app.add_exception_handler(ProcoreHttpError, render)
    for module in (
        auth,
        routes_directory,
        routes_contracts,
        routes_change_orders,
        routes_webhooks,
        admin,
    ):
        app.include_router(module.router)
    return app
