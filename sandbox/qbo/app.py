"""The QBO emulator as an ASGI app: ``create_app(state)`` for tests, the demo and uvicorn."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.qbo import admin, admin_load, oauth_routes, routes
from sandbox.qbo.state import QboState
from sandbox.transport import ConnectionDropped, SimulatedTimeout


class _BrokenConnection:
    """Turns the emulator's connection faults into what a socket does.

    It starts a response and then raises: Starlette's error middleware does not write a 500
    once a response has started, and uvicorn closes the socket mid-response, so a client
    sees a dropped connection. In process, ``SandboxTransport`` maps the exception instead.
    """

    def __init__(self, app: ASGIApp, state: QboState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except (ConnectionDropped, SimulatedTimeout) as exc:
            if isinstance(exc, SimulatedTimeout) and self.state.faults.hang_seconds:
                await asyncio.sleep(self.state.faults.hang_seconds)
            start: Message = {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
            }
            await send(start)
            raise


def create_app(state: QboState | None = None) -> FastAPI:
    state = state or QboState()
    app = FastAPI(title="QuickBooks Online emulator", docs_url="/_sandbox/docs")
    app.state.qbo = state
    app.include_router(oauth_routes.router)
    app.include_router(admin.router)
    app.include_router(admin_load.router)
    app.include_router(routes.router)
    app.add_middleware(_BrokenConnection, state=state)
    return app
