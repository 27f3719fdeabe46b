"""Errors routes raise, rendered in Procore's v1 (``errors``) or v2 (``error``) body shapes."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse


class ProcoreHttpError(Exception):
    def __init__(self, status: int, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or str(status)


def not_found() -> ProcoreHttpError:
    return ProcoreHttpError(
        404, "The URI requested is invalid or the resource requested does not exist."
    )


async def render(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProcoreHttpError)
    if request.url.path.startswith("/rest/v2.0/"):
        body: object = {"error": {"code": exc.code, "message": exc.message, "details": []}}
    else:
        body = {"errors": exc.message}
    return JSONResponse(body, status_code=exc.status)
