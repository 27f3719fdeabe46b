"""What benchmarks read and set: counts of API calls and a latency added to every answer.

Only API traffic is counted and delayed (``/rest/`` and ``/oauth/``), never ``/_sandbox/``.
The middleware is plain ASGI and sits outside the rate-limit middleware, so it sees every
status, the 429s and 503s answered before any route included. Calls are kept as counters by
(method, route template, status), not as a list: a benchmark makes many thousands.

The instruments hang off the state through a weak map (``instruments_of``), so the middleware,
the admin routes and the command line all reach the same ones from the state they already have,
and they go when the state does.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from fastapi import FastAPI
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.procore.state import ProcoreState

API_PREFIXES = ("/rest/", "/oauth/")

Resolve = Callable[[str, str], str]  # (method, path) -> the route's template


def _by_status(counts: Counter[int]) -> dict[str, int]:
    return {str(status): n for status, n in sorted(counts.items())}


@dataclass
class Instruments:
    latency_ms: float = 0.0
    # (method, route template, status): calls to many ids of one route count as one key
    counts: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    # (method, path, status) of calls answered before routing (the rate limiter's 429s and
    # 503s, a 404 for no route): their template is looked up only when a summary asks
    unrouted: Counter[tuple[str, str, int]] = field(default_factory=Counter)

    def reset(self) -> int:
        """Forget every call; how many there were."""
        total = self.counts.total() + self.unrouted.total()
        self.counts.clear()
        self.unrouted.clear()
        return total

    def summary(self, resolve: Resolve) -> dict[str, Any]:
        """Total, by status, and by "METHOD /route/{template}" with its statuses."""
        calls = Counter(self.counts)
        for (method, path, status), n in self.unrouted.items():
            calls[(method, resolve(method, path), status)] += n
        statuses: Counter[int] = Counter()
        by_call: dict[str, Counter[int]] = {}
        for (method, template, status), n in calls.items():
            statuses[status] += n
            by_call.setdefault(f"{method} {template}", Counter())[status] += n
        return {
            "total": statuses.total(),
            "by_status": _by_status(statuses),
            "by_call": {
                key: {"count": counts.total(), "by_status": _by_status(counts)}
                for key, counts in sorted(by_call.items())
            },
        }


_BY_STATE: WeakKeyDictionary[ProcoreState, Instruments] = WeakKeyDictionary()


def instruments_of(state: ProcoreState) -> Instruments:
    instruments = _BY_STATE.get(state)
    if instruments is None:
        instruments = _BY_STATE[state] = Instruments()
    return instruments


def template_resolver(app: FastAPI) -> Resolve:
    """Finds a path's route among the app's OpenAPI paths: FastAPI keeps included routers
    nested, and the schema is its public list of every route (built on first use, ~0.1 s)."""

    @cache
    def routes() -> list[tuple[re.Pattern[str], str, frozenset[str]]]:
        paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
        return [
            (compile_path(template)[0], template, frozenset(m.upper() for m in methods))
            for template, methods in paths.items()
        ]

    def resolve(method: str, path: str) -> str:
        other_method: str | None = None  # the right path under another method (a 405)
        for regex, template, methods in routes():
            if regex.match(path):
                if method in methods:
                    return template
                other_method = other_method or template
        return other_method or path

    return resolve


def _route_path(scope: Scope) -> str:
    """The path inside this app: mounted in the demo, ``path`` still carries the mount point."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class InstrumentMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = _route_path(scope) if scope["type"] == "http" else ""
        if not path.startswith(API_PREFIXES):
            await self.app(scope, receive, send)
            return
        instruments = instruments_of(scope["app"].state.procore)
        status = 500  # what the server's error middleware answers if the app raises

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        if instruments.latency_ms > 0:
            await asyncio.sleep(instruments.latency_ms / 1000)
        try:
            await self.app(scope, receive, send_and_note)
        finally:
            # routing leaves the route it chose in the (shared) scope
            template = getattr(scope.get("route"), "path_format", None)
            if template is None:
                instruments.unrouted[(scope["method"], path, status)] += 1
            else:
                instruments.counts[(scope["method"], template, status)] += 1
