"""A bare SOAP call to the service's /qbwc, for tests that need one operation at a time."""

from __future__ import annotations

import httpx

from sandbox.qbd.soap_client import INTUIT, call


async def soap(http: httpx.AsyncClient, operation: str, **params: str) -> str | list[str]:
    result = await call(http, "/qbwc", operation, list(params.items()))
    strings = result.findall(f"{{{INTUIT}}}string")
    return [s.text or "" for s in strings] if operation == "authenticate" else result.text or ""


async def auth(http: httpx.AsyncClient, operation: str, **params: str) -> tuple[str, str]:
    """authenticate's ticket and status (the optional extra elements dropped)."""
    answer = await soap(http, operation, **params)
    assert isinstance(answer, list) and len(answer) >= 2
    return answer[0], answer[1]
