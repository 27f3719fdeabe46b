"""Counts every ``/rest`` call, injects faults, and stamps rate-limit headers on every response."""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.responses import PlainTextResponse
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from sandbox.procore.auth import bearer_token, get_state
from sandbox.procore.ratelimit import TOO_MANY_REQUESTS, Decision


class RateLimitMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if not request.url.path.startswith("/rest/"):
            return await call_next(request)
        state = get_state(request)
        token = bearer_token(request, state)
        key = token.client_id if token else "anonymous"
        now = state.now()
        decision = state.limiter.hit(key, now)  # every call counts, 4xx included
        response: Response
        if state.faults.force_503 > 0:
            state.faults.force_503 -= 1
            response = PlainTextResponse("Service Unavailable", status_code=503)
            response.headers["Retry-After"] = str(state.faults.retry_after)
        elif state.faults.force_429 > 0:
            state.faults.force_429 -= 1
            reset = state.limiter.peek_reset(key, now)
            decision = Decision(False, decision.limit, 0, reset)
            response = PlainTextResponse(TOO_MANY_REQUESTS, status_code=429)
        elif not decision.allowed:
            response = PlainTextResponse(TOO_MANY_REQUESTS, status_code=429)
        else:
            response = await call_next(request)
        response.headers.update(decision.headers())
        return response
