"""Projects, vendors, cost codes and line item types (v1.0)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from sandbox.procore import serialize
from sandbox.procore.auth import Caller, caller, get_state
from sandbox.procore.http_errors import ProcoreHttpError, not_found
from sandbox.procore.paging import filter_updated_at, paginate
from sandbox.procore.records import Project
from sandbox.procore.state import ProcoreState

router = APIRouter(prefix="/rest/v1.0")
CallerDep = Annotated[Caller, Depends(caller)]


def same_company(who: Caller, company_id: int) -> None:
    if company_id != who.company_id:
        raise ProcoreHttpError(403, "App is not connected to this company", code="forbidden")


def visible_project(state: ProcoreState, who: Caller, project_id: int) -> Project:
    """The project if it exists in the caller's company (404 otherwise, as Procore does)."""
    project = state.projects.get(project_id)
    if project is None or project.company_id != who.company_id:
        raise not_found()
    return project


@router.get("/projects")
async def list_projects(request: Request, who: CallerDep, company_id: int) -> JSONResponse:
    same_company(who, company_id)
    state = get_state(request)
    projects = [p for p in state.projects.values() if p.company_id == company_id]
    projects = filter_updated_at(request, projects, lambda p: p.updated_at)
    return paginate(request, [serialize.project(p, state) for p in projects])


@router.get("/projects/{project_id}")
async def show_project(request: Request, who: CallerDep, project_id: int) -> JSONResponse:
    state = get_state(request)
    return JSONResponse(serialize.project(visible_project(state, who, project_id), state))


@router.get("/vendors")
async def list_vendors(
    request: Request, who: CallerDep, company_id: int | None = None
) -> JSONResponse:
    same_company(who, company_id if company_id is not None else who.company_id)
    state = get_state(request)
    vendors = [v for v in state.vendors.values() if v.company_id == who.company_id]
    vendors = filter_updated_at(request, vendors, lambda v: v.updated_at)
    return paginate(request, [serialize.vendor(v) for v in vendors])


@router.get("/vendors/{vendor_id}")
async def show_vendor(request: Request, who: CallerDep, vendor_id: int) -> JSONResponse:
    vendor = get_state(request).vendors.get(vendor_id)
    if vendor is None or vendor.company_id != who.company_id:
        raise not_found()
    return JSONResponse(serialize.vendor(vendor))


@router.get("/cost_codes")
async def list_cost_codes(request: Request, who: CallerDep, project_id: int) -> JSONResponse:
    state = get_state(request)
    visible_project(state, who, project_id)
    codes = [c for c in state.cost_codes.values() if c.project_id == project_id]
    return paginate(request, [serialize.cost_code(c) for c in codes])


@router.get("/line_item_types")
async def list_line_item_types(
    request: Request, who: CallerDep, company_id: int | None = None
) -> JSONResponse:
    same_company(who, company_id if company_id is not None else who.company_id)
    state = get_state(request)
    types = [t for t in state.line_item_types.values() if t.company_id == who.company_id]
    return paginate(request, [serialize.line_item_type(t) for t in types])
