"""Commitment and prime change orders (v1.0), CCO line items (v2.0), legacy packages (v1.0).

Writes made here stamp the caller's client id as the webhook ``source_application_id``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from sandbox.procore import serialize
from sandbox.procore.auth import Caller, get_state
from sandbox.procore.http_errors import ProcoreHttpError, not_found
from sandbox.procore.paging import filter_updated_at, int_filter, paginate
from sandbox.procore.records import ChangeOrder, ChangeOrderKind
from sandbox.procore.routes_directory import CallerDep, same_company, visible_project
from sandbox.procore.state import ProcoreState

router = APIRouter()
_WRITABLE = {"title", "description", "status", "due_date"}


def _order(
    state: ProcoreState, who: Caller, project_id: int, co_id: int, kind: ChangeOrderKind
) -> ChangeOrder:
    visible_project(state, who, project_id)
    try:
        order = state.live_change_order(co_id, kind)
    except KeyError:
        raise not_found() from None
    if order.project_id != project_id:
        raise not_found()
    return order


def _list(request: Request, who: Caller, project_id: int, kind: ChangeOrderKind) -> JSONResponse:
    state = get_state(request)
    visible_project(state, who, project_id)
    orders = [
        o for o in state.change_orders.values()
        if o.kind == kind and o.project_id == project_id and o.deleted_at is None
    ]  # fmt: skip
    package_id, contract_id = (
        int_filter(request, "legacy_package_id"),
        int_filter(request, "contract_id"),
    )
    status = request.query_params.get("filters[status]")
    orders = [
        o for o in orders
        if (package_id is None or o.legacy_package_id == package_id)
        and (contract_id is None or o.contract_id == contract_id)
        and (status is None or o.status == status)
    ]  # fmt: skip
    orders = filter_updated_at(request, orders, lambda o: o.updated_at)
    return paginate(request, [serialize.change_order(o) for o in orders])


async def _patch(
    request: Request, who: Caller, project_id: int, co_id: int, kind: ChangeOrderKind
) -> JSONResponse:
    state = get_state(request)
    order = _order(state, who, project_id, co_id, kind)
    body: Any = await request.json()
    fields = body.get("change_order") if isinstance(body, dict) else None
    if not isinstance(fields, dict) or not set(fields) <= _WRITABLE:
        raise ProcoreHttpError(422, f"change_order may only set {sorted(_WRITABLE)}")
    text = {k: None if v is None else str(v) for k, v in fields.items()}
    state.update_change_order(
        order.id,
        title=text.get("title"),
        description=text.get("description"),
        status=text.get("status"),
        due_date=text.get("due_date"),
        source_application_id=who.client_id,
    )
    return JSONResponse(serialize.change_order(order))


@router.get("/rest/v1.0/projects/{project_id}/commitment_change_orders")
async def list_ccos(request: Request, who: CallerDep, project_id: int) -> JSONResponse:
    return _list(request, who, project_id, "commitment")


@router.get("/rest/v1.0/projects/{project_id}/commitment_change_orders/{co_id}")
async def show_cco(request: Request, who: CallerDep, project_id: int, co_id: int) -> JSONResponse:
    return JSONResponse(
        serialize.change_order(_order(get_state(request), who, project_id, co_id, "commitment"))
    )


@router.patch("/rest/v1.0/projects/{project_id}/commitment_change_orders/{co_id}")
async def patch_cco(request: Request, who: CallerDep, project_id: int, co_id: int) -> JSONResponse:
    return await _patch(request, who, project_id, co_id, "commitment")


@router.delete("/rest/v1.0/projects/{project_id}/commitment_change_orders/{co_id}")
async def delete_cco(request: Request, who: CallerDep, project_id: int, co_id: int) -> Response:
    state = get_state(request)
    order = _order(state, who, project_id, co_id, "commitment")
    state.delete_change_order(order.id, source_application_id=who.client_id)
    return Response(status_code=204)


@router.get("/rest/v1.0/projects/{project_id}/prime_change_orders")
async def list_pcos(request: Request, who: CallerDep, project_id: int) -> JSONResponse:
    return _list(request, who, project_id, "prime")


@router.get("/rest/v1.0/projects/{project_id}/prime_change_orders/{co_id}")
async def show_pco(request: Request, who: CallerDep, project_id: int, co_id: int) -> JSONResponse:
    return JSONResponse(
        serialize.change_order(_order(get_state(request), who, project_id, co_id, "prime"))
    )


@router.patch("/rest/v1.0/projects/{project_id}/prime_change_orders/{co_id}")
async def patch_pco(request: Request, who: CallerDep, project_id: int, co_id: int) -> JSONResponse:
    return await _patch(request, who, project_id, co_id, "prime")


@router.delete("/rest/v1.0/projects/{project_id}/prime_change_orders/{co_id}")
async def delete_pco(request: Request, who: CallerDep, project_id: int, co_id: int) -> Response:
    state = get_state(request)
    order = _order(state, who, project_id, co_id, "prime")
    state.delete_change_order(order.id, source_application_id=who.client_id)
    return Response(status_code=204)


@router.get(
    "/rest/v2.0/companies/{company_id}/projects/{project_id}/commitment_change_orders/{co_id}/line_items"
)
async def list_cco_line_items(
    request: Request, who: CallerDep, company_id: int, project_id: int, co_id: int
) -> JSONResponse:
    same_company(who, company_id)
    state = get_state(request)
    order = _order(state, who, project_id, co_id, "commitment")
    lines = sorted(order.lines, key=lambda line: line.position)
    return paginate(request, [serialize.cco_line_item(line, state) for line in lines], v2=True)


@router.get("/rest/v1.0/change_order_packages")
async def list_packages(request: Request, who: CallerDep, project_id: int) -> JSONResponse:
    state = get_state(request)
    visible_project(state, who, project_id)
    orders = [
        o
        for o in state.change_orders.values()
        if o.project_id == project_id and o.deleted_at is None
    ]
    orders = filter_updated_at(request, orders, lambda o: o.updated_at)
    return paginate(request, [serialize.package(o, state) for o in orders])


@router.get("/rest/v1.0/change_order_packages/{package_id}")
async def show_package(
    request: Request, who: CallerDep, package_id: int, project_id: int
) -> JSONResponse:
    state = get_state(request)
    visible_project(state, who, project_id)
    try:
        order = state.by_package(package_id)
    except KeyError:
        raise not_found() from None
    if order.project_id != project_id:
        raise not_found()
    return JSONResponse(serialize.package(order, state))
