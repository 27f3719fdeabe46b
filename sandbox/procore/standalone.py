"""The emulator as a server: webhooks go out over real HTTP, by themselves, while it runs.

``serve`` is what ``costbridge sandbox procore`` and ``python -m sandbox.procore`` run. The HTTP
client and the delivery loop live exactly as long as the server (its lifespan), so a stopped
sandbox leaves no connection or task behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from sandbox.procore.app import create_app
from sandbox.procore.delivery_loop import POLL_SECONDS, deliver_continuously, stop_loop
from sandbox.procore.dispatcher import DELIVERY_TIMEOUT
from sandbox.procore.hookstore import HookStore
from sandbox.procore.state import ProcoreState


@asynccontextmanager
async def delivering(
    state: HookStore,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    poll_seconds: float = POLL_SECONDS,
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client the state delivers with and the loop that flushes it, until exit.

    ``transport`` is for tests; standalone it is the network. The client ignores proxy
    variables: Procore's servers would not go through the developer's proxy either, and a
    proxy would swallow deliveries to 127.0.0.1.
    """
    previous = state.webhook_http
    async with httpx.AsyncClient(
        transport=transport, timeout=DELIVERY_TIMEOUT, trust_env=False
    ) as http:
        state.webhook_http = http
        stop = asyncio.Event()
        task = asyncio.create_task(deliver_continuously(state, stop, poll_seconds=poll_seconds))
        try:
            yield http
        finally:
            await stop_loop(task, stop)
            state.webhook_http = previous


def _lifespan(state: HookStore) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with delivering(state):
            yield

    return lifespan


def standalone_app(state: ProcoreState) -> FastAPI:
    """The emulator app with webhook delivery tied to its lifespan (uvicorn runs it)."""
    return create_app(state, lifespan=_lifespan(state))


def serve(
    state: ProcoreState, *, host: str, port: int, log_config: dict[str, Any] | None = None
) -> None:
    """Run until interrupted; ``log_config`` None leaves logging to the caller."""
    uvicorn.run(standalone_app(state), host=host, port=port, log_config=log_config)
