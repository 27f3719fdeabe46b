"""``/_sandbox/``: seed objects by JSON, change commitments and change orders, see deliveries,
flip fault switches, count API calls and slow their answers down.

Seeding bodies are the keyword arguments of the matching ``ProcoreState.add_*`` method.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.procore.auth import get_state
from sandbox.procore.demo import seed_demo_company
from sandbox.procore.dispatcher import NoWebhookClient
from sandbox.procore.instruments import instruments_of, template_resolver
from sandbox.procore.state import LineSeed, ProcoreState

router = APIRouter(prefix="/_sandbox")

_SEEDERS: dict[str, Callable[[ProcoreState], Callable[..., Any]]] = {
    "companies": lambda s: s.add_company,
    "clients": lambda s: s.add_client,
    "projects": lambda s: s.add_project,
    "vendors": lambda s: s.add_vendor,
    "cost_codes": lambda s: s.add_cost_code,
    "line_item_types": lambda s: s.add_line_item_type,
    "wbs_codes": lambda s: s.add_wbs_code,
    "commitments": lambda s: s.add_commitment,
    "prime_contracts": lambda s: s.add_prime_contract,
    "commitment_change_orders": lambda s: s.add_commitment_change_order,
    "prime_change_orders": lambda s: s.add_prime_change_order,
    "hooks": lambda s: s.add_hook,
    "triggers": lambda s: s.add_trigger,
}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _kwargs(request: Request) -> dict[str, Any]:
    body = await request.json()
    if not isinstance(body, dict):
        raise TypeError("body must be a JSON object of keyword arguments")
    if "lines" in body:
        body["lines"] = [LineSeed(**line) for line in body["lines"]]
    return body


@router.post("/seed/{kind}")
async def seed(request: Request, kind: str) -> JSONResponse:
    if kind not in _SEEDERS:
        return _error(404, f"unknown kind {kind!r}; one of {sorted(_SEEDERS)}")
    try:
        record = _SEEDERS[kind](get_state(request))(**await _kwargs(request))
    except (TypeError, ValueError, KeyError) as exc:
        return _error(422, f"cannot seed {kind}: {exc!r}")
    return JSONResponse({"id": getattr(record, "id", None) or getattr(record, "client_id", None)})


@router.post("/demo")
async def demo(request: Request) -> JSONResponse:
    return JSONResponse(seed_demo_company(get_state(request)))


@router.patch("/change_orders/{change_order_id}")
async def update_change_order(request: Request, change_order_id: int) -> JSONResponse:
    """Body: any of title, description, status, due_date, lines, source_application_id."""
    try:
        order = get_state(request).update_change_order(change_order_id, **await _kwargs(request))
    except KeyError:
        return _error(404, "no such change order")
    except TypeError as exc:
        return _error(422, repr(exc))
    return JSONResponse({"id": order.id, "updated_at": order.updated_at.isoformat()})


@router.delete("/change_orders/{change_order_id}")
async def delete_change_order(request: Request, change_order_id: int) -> JSONResponse:
    try:
        order = get_state(request).delete_change_order(change_order_id)
    except KeyError:
        return _error(404, "no such change order")
    return JSONResponse({"id": order.id})


@router.patch("/commitments/{commitment_id}")
async def update_commitment(request: Request, commitment_id: int) -> JSONResponse:
    """Body: any of title, description, status, lines, source_application_id."""
    try:
        commitment = get_state(request).update_commitment(commitment_id, **await _kwargs(request))
    except KeyError:
        return _error(404, "no such commitment")
    except (TypeError, ValueError) as exc:  # an unknown field, or a status Procore does not have
        return _error(422, repr(exc))
    return JSONResponse({"id": commitment.id, "updated_at": commitment.updated_at.isoformat()})


@router.delete("/commitments/{commitment_id}")
async def delete_commitment(request: Request, commitment_id: int) -> JSONResponse:
    try:
        commitment = get_state(request).delete_commitment(commitment_id)
    except KeyError:
        return _error(404, "no such commitment")
    return JSONResponse({"id": commitment.id})


@router.get("/webhooks/deliveries")
async def deliveries(request: Request) -> JSONResponse:
    return JSONResponse(
        [
            {
                "id": d.id,
                "hook_id": d.hook_id,
                "status": d.status,
                "sent_count": d.sent_count,
                "resource_name": d.resource_name,
                "event_type": d.event_type,
                "payload": d.payload,
            }
            for d in get_state(request).deliveries
        ]
    )


@router.post("/webhooks/dispatch")
async def dispatch(request: Request) -> JSONResponse:
    """Flush now (standalone the loop also does, by itself); 409 when nothing can deliver."""
    try:
        handled = await get_state(request).dispatch_pending()
    except NoWebhookClient as exc:
        return _error(409, str(exc))
    return JSONResponse({"handled": len(handled), "statuses": Counter(d.status for d in handled)})


@router.put("/webhooks/switches")
async def switches(request: Request) -> JSONResponse:
    """Body: duplicate (int), order (fifo|reverse|shuffle), drop_rate (0..1)."""
    state, body = get_state(request), await request.json()
    state.switches.duplicate = int(body.get("duplicate", state.switches.duplicate))
    if body.get("order") in {"fifo", "reverse", "shuffle"}:
        state.switches.order = body["order"]
    state.switches.drop_rate = float(body.get("drop_rate", state.switches.drop_rate))
    return JSONResponse(vars(state.switches))


@router.put("/faults")
async def faults(request: Request) -> JSONResponse:
    """Body: force_429 (next N calls), force_503 (next N calls), retry_after (seconds)."""
    state, body = get_state(request), await request.json()
    for name in ("force_429", "force_503", "retry_after"):
        if name in body:
            setattr(state.faults, name, int(body[name]))
    return JSONResponse(vars(state.faults))


@router.put("/rate_limits")
async def rate_limits(request: Request) -> JSONResponse:
    """Body: hourly_limit, spike_limit, hourly_seconds, spike_seconds (all optional ints)."""
    state, body = get_state(request), await request.json()
    names = ("hourly_limit", "spike_limit", "hourly_seconds", "spike_seconds")
    state.limiter.configure(**{k: int(body[k]) for k in names if k in body})
    return JSONResponse(
        {w.name: {"limit": w.limit, "seconds": w.seconds} for w in state.limiter.windows}
    )


@router.get("/calls/summary")
async def calls_summary(request: Request) -> JSONResponse:
    """Counts of /rest and /oauth calls: total, by_status, by_call ("GET /rest/...{id}")."""
    summary = instruments_of(get_state(request)).summary(template_resolver(request.app))
    return JSONResponse(summary)


@router.delete("/calls")
async def reset_calls(request: Request) -> JSONResponse:
    return JSONResponse({"deleted": instruments_of(get_state(request)).reset()})


@router.get("/latency")
async def get_latency(request: Request) -> JSONResponse:
    return JSONResponse({"latency_ms": instruments_of(get_state(request)).latency_ms})


@router.put("/latency")
async def set_latency(request: Request) -> JSONResponse:
    """Body: latency_ms (a number >= 0), added to every /rest and /oauth answer."""
    instruments, body = instruments_of(get_state(request)), await request.json()
    value = body.get("latency_ms") if isinstance(body, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return _error(422, "latency_ms must be a number >= 0")
    instruments.latency_ms = float(value)
    return JSONResponse({"latency_ms": instruments.latency_ms})
