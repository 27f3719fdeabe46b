"""Commitments (work order / purchase order contracts) and prime contracts (v1.0)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.procore import serialize
from sandbox.procore.auth import get_state
from sandbox.procore.http_errors import not_found
from sandbox.procore.paging import filter_updated_at, paginate
from sandbox.procore.routes_directory import CallerDep, visible_project

router = APIRouter(prefix="/rest/v1.0")


@router.get("/commitments")
async def list_commitments(request: Request, who: CallerDep, project_id: int) -> JSONResponse:
    state = get_state(request)
    visible_project(state, who, project_id)
    items = [c for c in state.commitments.values() if c.project_id == project_id]
    items = filter_updated_at(request, items, lambda c: c.updated_at)
    return paginate(request, [serialize.commitment(c, state) for c in items])


@router.get("/commitments/{commitment_id}")
async def show_commitment(
    request: Request, who: CallerDep, commitment_id: int, project_id: int | None = None
) -> JSONResponse:
    state = get_state(request)
    commitment = state.commitments.get(commitment_id)
    if commitment is None or (project_id is not None and commitment.project_id != project_id):
        raise not_found()
    visible_project(state, who, commitment.project_id)
    return JSONResponse(serialize.commitment(commitment, state))


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
