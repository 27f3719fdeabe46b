"""In-process transport for the sandbox emulators.

An emulator signals a broken connection by raising :class:`ConnectionDropped` or
:class:`SimulatedTimeout` from inside the ASGI app. Under uvicorn an exception after the
response has started aborts the socket; in process, ``httpx.ASGITransport`` would hand the raw
exception to the caller instead. This transport translates them into the exceptions httpx raises
over a real socket, so client code is tested against exactly what it will see in production.
"""

from __future__ import annotations

import httpx
from starlette.types import ASGIApp


class ConnectionDropped(Exception):
    """The emulator closes the connection without a complete response."""


class SimulatedTimeout(Exception):
    """The emulator never answers in time."""


class SandboxTransport(httpx.AsyncBaseTransport):
    """``httpx.ASGITransport`` with socket-like failures instead of app exceptions."""

    def __init__(self, app: ASGIApp) -> None:
        self._inner = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except ConnectionDropped as exc:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a complete response.", request=request
            ) from exc
        except SimulatedTimeout as exc:
            raise httpx.ReadTimeout("Timed out reading the response.", request=request) from exc

    async def aclose(self) -> None:
        await self._inner.aclose()
