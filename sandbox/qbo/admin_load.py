"""/_sandbox/ for load tests and benchmarks: the real limits, added latency, the call log.

``PUT /_sandbox/limits`` takes any fields of ``LimitSettings`` and forgets past calls, so a
test that switches the limits on starts from empty windows.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from sandbox.qbo.call_summary import summarize
from sandbox.qbo.limits import LimitSettings
from sandbox.qbo.pipeline import state_of

router = APIRouter(prefix="/_sandbox")


class Latency(BaseModel):
    latency_ms: float = Field(ge=0, description="added to every OAuth and /v3 answer")


@router.get("/limits")
async def get_limits(request: Request) -> dict[str, Any]:
    return asdict(state_of(request).throttle.config)


@router.put("/limits")
async def set_limits(request: Request, body: LimitSettings) -> dict[str, Any]:
    throttle = state_of(request).throttle
    throttle.configure(body)
    return asdict(throttle.config)


@router.get("/latency")
async def get_latency(request: Request) -> Latency:
    return Latency(latency_ms=state_of(request).latency_ms)


@router.put("/latency")
async def set_latency(request: Request, body: Latency) -> Latency:
    state_of(request).latency_ms = body.latency_ms
    return body


@router.get("/calls")
async def calls(request: Request) -> list[dict[str, Any]]:
    return [asdict(call) for call in state_of(request).calls]


@router.get("/calls/summary")
async def calls_summary(request: Request, realm_id: str | None = None) -> dict[str, Any]:
    return summarize(state_of(request).calls, realm_id)


@router.delete("/calls")
async def clear_calls(request: Request) -> dict[str, int]:
    calls = state_of(request).calls
    deleted = len(calls)
    calls.clear()
    return {"deleted": deleted}
