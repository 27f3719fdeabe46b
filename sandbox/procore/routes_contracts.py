"""Commitments (work order / purchase order contracts) with their SOV, prime contracts (v1.0).

Deleted commitments are gone from every read, as deleted change orders are.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.procore import serialize
from sandbox.procore.auth import Caller, get_state
from sandbox.procore.http_errors import not_found
from sandbox.procore.paging import filter_updated_at, paginate
from sandbox.procore.records import Commitment, CommitmentType
from sandbox.procore.routes_directory import CallerDep, visible_project

router = APIRouter(prefix="/rest/v1.0")


def _commitment(
    request: Request,
    who: Caller,
    commitment_id: int,
    project_id: int | None,
    commitment_type: CommitmentType | None = None,
) -> Commitment:
    """A live commitment the caller may see (404 when deleted, elsewhere or of another type)."""
    state = get_state(request)
    try:
        commitment = state.live_commitment(commitment_id, commitment_type)
    except KeyError:
        raise not_found() from None
    if project_id is not None and commitment.project_id != project_id:
        raise not_found()
    visible_project(state, who, commitment.project_id)
    return commitment


def _show(request: Request, commitment: Commitment) -> JSONResponse:
    return JSONResponse(serialize.commitment(commitment, get_state(request)))


def _line_items(request: Request, commitment: Commitment) -> JSONResponse:
    state = get_state(request)
    lines = serialize.sov_lines(commitment)
    return paginate(request, [serialize.sov_line_item(line, state) for line in lines])


@router.get("/commitments")
async def list_commitments(request: Request, who: CallerDep, project_id: int) -> JSONResponse:
    state = get_state(request)
    visible_project(state, who, project_id)
    items = [
        c for c in state.commitments.values()
        if c.project_id == project_id and c.deleted_at is None
    ]  # fmt: skip
    items = filter_updated_at(request, items, lambda c: c.updated_at)
    return paginate(request, [serialize.commitment(c, state, with_lines=False) for c in items])


@router.get("/commitments/{commitment_id}")
async def show_commitment(
    request: Request, who: CallerDep, commitment_id: int, project_id: int | None = None
) -> JSONResponse:
    return _show(request, _commitment(request, who, commitment_id, project_id))


@router.get("/work_order_contracts/{commitment_id}")
async def show_work_order_contract(
    request: Request, who: CallerDep, commitment_id: int, project_id: int
) -> JSONResponse:
    commitment = _commitment(request, who, commitment_id, project_id, "WorkOrderContract")
    return _show(request, commitment)


@router.get("/work_order_contracts/{commitment_id}/line_items")
async def list_work_order_contract_lines(
    request: Request, who: CallerDep, commitment_id: int, project_id: int
) -> JSONResponse:
    commitment = _commitment(request, who, commitment_id, project_id, "WorkOrderContract")
    return _line_items(request, commitment)


@router.get("/purchase_order_contracts/{commitment_id}")
async def show_purchase_order_contract(
    request: Request, who: CallerDep, commitment_id: int, project_id: int
) -> JSONResponse:
    commitment = _commitment(request, who, commitment_id, project_id, "PurchaseOrderContract")
    return _show(request, commitment)


@router.get("/purchase_order_contracts/{commitment_id}/line_items")
async def list_purchase_order_contract_lines(
    request: Request, who: CallerDep, commitment_id: int, project_id: int
) -> JSONResponse:
    commitment = _commitment(request, who, commitment_id, project_id, "PurchaseOrderContract")
    return _line_items(request, commitment)


@router.get("/prime_contracts")
async def list_prime_contracts(request: Request, who: CallerDep, project_id: int) -> JSONResponse:
    state = get_state(request)
    visible_project(state, who, project_id)
    items = [c for c in state.prime_contracts.values() if c.project_id == project_id]
    return paginate(request, [serialize.prime_contract(c) for c in items])


@router.get("/prime_contracts/{contract_id}")
async def show_prime_contract(
    request: Request, who: CallerDep, contract_id: int, project_id: int | None = None
) -> JSONResponse:
    state = get_state(request)
    contract = state.prime_contracts.get(contract_id)
    if contract is None or (project_id is not None and contract.project_id != project_id):
        raise not_found()
    visible_project(state, who, contract.project_id)
    return JSONResponse(serialize.prime_contract(contract))
