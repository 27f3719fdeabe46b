"""List responses: v1.x bare arrays with Total/Per-Page/Link headers, v2.0 ``data`` envelopes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse

from sandbox.procore.http_errors import ProcoreHttpError
from sandbox.procore.timeutil import parse_iso

T = TypeVar("T")


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ProcoreHttpError(400, f"{name} must be a positive integer")
    return int(raw)


def paginate(
    request: Request,
    items: Sequence[Any],
    *,
    v2: bool = False,
) -> JSONResponse:
    """One page of ``items`` with Procore's paging headers (v2 wraps the page in ``data``)."""
    default, maximum = (10, 100) if v2 else (100, 10_000)
    per_page = min(_int_param(request, "per_page", default), maximum)
    page = _int_param(request, "page", 1)
    last = max((len(items) + per_page - 1) // per_page, 1)
    chunk = list(items[(page - 1) * per_page : page * per_page])

    def link(number: int, rel: str) -> str:
        url = request.url.include_query_params(page=number, per_page=per_page)
        return f'<{url}>; rel="{rel}"'

    links = [link(1, "first")]
    if page > 1:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links.append(link(page + 1, "next"))
    links.append(link(last, "last"))
    headers = {"Total": str(len(items)), "Per-Page": str(per_page), "Link": ", ".join(links)}
    body: object = {"data": chunk} if v2 else chunk
    return JSONResponse(body, headers=headers)


def filter_updated_at(
    request: Request, items: Sequence[T], updated_at: Callable[[T], datetime]
) -> list[T]:
    """Apply ``filters[updated_at]=<start>...<end>`` (inclusive) when present."""
    raw = request.query_params.get("filters[updated_at]")
    if raw is None:
        return list(items)
    start_text, sep, end_text = raw.partition("...")
    try:
        if not sep:
            raise ValueError(raw)
        start, end = parse_iso(start_text), parse_iso(end_text)
    except ValueError:
        raise ProcoreHttpError(400, "filters[updated_at] must be <start>...<end>") from None
    return [item for item in items if start <= updated_at(item) <= end]


def int_filter(request: Request, name: str) -> int | None:
    raw = request.query_params.get(f"filters[{name}]")
    if raw is None:
        return None
    if not raw.isdigit():
        raise ProcoreHttpError(400, f"filters[{name}] must be an id")
    return int(raw)
