"""``POST /webhooks/<source>`` as a plain ASGI middleware in front of FastAPI's routing.

Why: the webhook is the one route that must answer fast under bursts (Procore gives up after
5 s and pauses the hook), and FastAPI's routing, request objects and inner middleware cost
about a third of a delivery's CPU. This handler reads the body, calls ``inbox.ingest`` and
writes the answer itself; every other path goes on to the app unchanged. What it answers is
what the route always answered: 2xx only once the event is committed, 401 for a wrong
``Authorization``, 400 for a body that is not an event, 413 for a huge one, 503 when the
database failed (nothing stored: the sender delivers again).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.engine.inbox import ingest
from sync.errors import InvalidEventError
from sync.service import Service
from sync.sources.base import UnauthorizedEventError

log = structlog.get_logger("costbridge.web")
MAX_WEBHOOK_BYTES = 256 * 1024  # Procore events are thin (< 1 KB); anything huge is not one


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


class WebhookRoute:
    """Answers ``POST {prefix}<source>`` for the configured sources; passes the rest on."""

    def __init__(self, app: ASGIApp, svc: Service, prefix: str = "/webhooks/") -> None:
        self.app = app
        self.svc = svc
        self.paths = {f"{prefix}{name}": name for name in svc.sources}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        source = self.paths.get(scope["path"]) if scope["type"] == "http" else None
        if source is None:
            await self.app(scope, receive, send)
            return
        if scope["method"] != "POST":
            await _answer(send, 405, {"detail": "Method Not Allowed"}, [(b"allow", b"POST")])
            return
        try:
            body = await _body(receive, MAX_WEBHOOK_BYTES)
        except _TooLarge:
            log.warning("webhook.rejected", reason="too large")
            await _answer(send, 413, {"error": "body too large"})
            return
        except _Disconnected:
            return  # the sender gave up before it finished: nothing to store or answer
        status, answer = await self._ingest(source, _headers(scope), body)
        await _answer(send, status, answer)

    async def _ingest(
        self, source: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        try:
            result = await ingest(self.svc, source, headers, body)
        except UnauthorizedEventError:
            log.warning("webhook.rejected", reason="unauthorized")
            return 401, {"error": "unauthorized"}
        except InvalidEventError as exc:
            log.warning("webhook.rejected", reason=str(exc))
            return 400, {"error": str(exc)}
        except SQLAlchemyError:
            # Not stored, so not acknowledged: Procore will deliver it again.
            log.exception("webhook.store_failed")
            return 503, {"error": "temporarily unavailable"}
        return 200, {"status": result.outcome, "event_id": result.event_id}


def _headers(scope: Scope) -> dict[str, str]:
    """Header names in lower case (as ASGI gives them); a repeated header keeps its first value."""
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:
        headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return headers


async def _body(receive: Receive, limit: int) -> bytes:
    """The request body, refused as soon as it passes ``limit`` (not read to the end first)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(
    send: Send, status: int, content: dict[str, Any], extra: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    body = json.dumps(content, separators=(",", ":")).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
