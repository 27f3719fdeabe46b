"""Webhooks API v2.0: hooks, triggers and deliveries, company- or project-scoped (research §1.2)."""

from __future__ import annotations

from typing import Any, cast, get_args

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from sandbox.procore import serialize
from sandbox.procore.auth import Caller, caller, get_state
from sandbox.procore.http_errors import ProcoreHttpError, not_found
from sandbox.procore.paging import paginate
from sandbox.procore.records import Delivery, Hook, PayloadVersion
from sandbox.procore.routes_directory import same_company, visible_project
from sandbox.procore.state import ProcoreState
from sandbox.procore.timeutil import iso

router = APIRouter()
_EVENT_TYPES = {"create", "update", "delete"}


def _scope(
    request: Request, company_id: int, project_id: int | None
) -> tuple[ProcoreState, Caller]:
    who = caller(request)
    same_company(who, company_id)
    state = get_state(request)
    if project_id is not None:
        visible_project(state, who, project_id)
    return state, who


def _hook(state: ProcoreState, company_id: int, project_id: int | None, hook_id: int) -> Hook:
    hook = state.hooks.get(hook_id)
    if hook is None or hook.company_id != company_id or hook.project_id != project_id:
        raise not_found()
    return hook


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise ProcoreHttpError(400, "Request body must be JSON") from None
    if not isinstance(body, dict):
        raise ProcoreHttpError(400, "Request body must be a JSON object")
    return body


def _trigger_count(state: ProcoreState, hook: Hook) -> int:
    return sum(1 for t in state.triggers.values() if t.hook_id == hook.id)


def _delivery(d: Delivery) -> dict[str, Any]:
    attempts = [
        {"id": str(i), "success": a.success, "response_status": a.response_status,
         "started_at": iso(a.started_at), "completed_at": iso(a.started_at)}
        for i, a in enumerate(d.attempts, start=1)
    ]  # fmt: skip
    return {
        "id": str(d.id),
        "status": d.status,
        "payload": d.payload,
        "delivery_attempts": attempts,
    }


async def list_hooks(
    request: Request, company_id: int, project_id: int | None = None
) -> JSONResponse:
    state, _ = _scope(request, company_id, project_id)
    namespace = request.query_params.get("namespace")
    if not namespace:
        raise ProcoreHttpError(400, "namespace is required")
    hooks = [
        h for h in state.hooks.values()
        if h.company_id == company_id and h.project_id == project_id and h.namespace == namespace
    ]  # fmt: skip
    return paginate(request, [serialize.hook(h, _trigger_count(state, h)) for h in hooks], v2=True)


async def create_hook(
    request: Request, company_id: int, project_id: int | None = None
) -> JSONResponse:
    state, _ = _scope(request, company_id, project_id)
    body = await _body(request)
    url, version = body.get("destination_url"), body.get("payload_version", "v4.0")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ProcoreHttpError(422, "destination_url must be an http(s) URL")
    if version not in get_args(PayloadVersion):
        raise ProcoreHttpError(422, f"payload_version must be one of {get_args(PayloadVersion)}")
    headers = body.get("destination_headers") or {}
    auth = headers.get("Authorization") if isinstance(headers, dict) else None
    hook = state.add_hook(
        company_id,
        url,
        project_id=project_id,
        namespace=str(body.get("namespace", "procore")),
        payload_version=cast(PayloadVersion, version),
        authorization=auth if isinstance(auth, str) else None,
    )
    return JSONResponse({"data": serialize.hook(hook, 0)}, status_code=201)


async def show_hook(
    request: Request, company_id: int, hook_id: int, project_id: int | None = None
) -> JSONResponse:
    state, _ = _scope(request, company_id, project_id)
    hook = _hook(state, company_id, project_id, hook_id)
    return JSONResponse({"data": serialize.hook(hook, _trigger_count(state, hook))})


async def patch_hook(
    request: Request, company_id: int, hook_id: int, project_id: int | None = None
) -> JSONResponse:
    state, _ = _scope(request, company_id, project_id)
    hook = _hook(state, company_id, project_id, hook_id)
    body = await _body(request)
    if isinstance(body.get("destination_url"), str):
        hook.destination_url = body["destination_url"]
    if body.get("status") in {"active", "disabled"}:
        hook.status = body["status"]
    if body.get("payload_version") in get_args(PayloadVersion):
        hook.payload_version = body["payload_version"]
    headers = body.get("destination_headers")
    if isinstance(headers, dict):
        hook.destination_headers = {k: str(v) for k, v in headers.items()}
    hook.updated_at = state.now()
    return JSONResponse({"data": serialize.hook(hook, _trigger_count(state, hook))})


async def delete_hook(
    request: Request, company_id: int, hook_id: int, project_id: int | None = None
) -> Response:
    state, _ = _scope(request, company_id, project_id)
    hook = _hook(state, company_id, project_id, hook_id)
    del state.hooks[hook.id]
    for trigger_id in [t.id for t in state.triggers.values() if t.hook_id == hook.id]:
        del state.triggers[trigger_id]
    return Response(status_code=204)


async def list_triggers(
    request: Request, company_id: int, hook_id: int, project_id: int | None = None
) -> JSONResponse:
    state, _ = _scope(request, company_id, project_id)
    hook = _hook(state, company_id, project_id, hook_id)
    triggers = [serialize.trigger(t, hook) for t in state.triggers.values() if t.hook_id == hook.id]
    return paginate(request, triggers, v2=True)


async def create_trigger(
    request: Request, company_id: int, hook_id: int, project_id: int | None = None
) -> JSONResponse:
    state, _ = _scope(request, company_id, project_id)
    hook = _hook(state, company_id, project_id, hook_id)
    body = await _body(request)
    name, event_type = body.get("resource_name"), str(body.get("event_type", "")).lower()
    if not isinstance(name, str) or not name or event_type not in _EVENT_TYPES:
        raise ProcoreHttpError(
            422, "resource_name and event_type (create|update|delete) are required"
        )
    trigger = state.add_trigger(hook.id, name, event_type)
    return JSONResponse({"data": serialize.trigger(trigger, hook)}, status_code=201)


async def delete_trigger(
    request: Request, company_id: int, hook_id: int, trigger_id: int, project_id: int | None = None
) -> Response:
    state, _ = _scope(request, company_id, project_id)
    hook = _hook(state, company_id, project_id, hook_id)
    trigger = state.triggers.get(trigger_id)
    if trigger is None or trigger.hook_id != hook.id:
        raise not_found()
    del state.triggers[trigger_id]
    return Response(status_code=204)


async def list_deliveries(
    request: Request, company_id: int, hook_id: int, project_id: int | None = None
) -> JSONResponse:
    state, _ = _scope(request, company_id, project_id)
    hook = _hook(state, company_id, project_id, hook_id)
    wanted = request.query_params.get("filter[status]")
    deliveries = [
        _delivery(d) for d in state.deliveries
        if d.hook_id == hook.id and (wanted is None or d.status == wanted)
    ]  # fmt: skip
    return paginate(request, deliveries, v2=True)


for _prefix in (
    "/rest/v2.0/companies/{company_id}/webhooks/hooks",
    "/rest/v2.0/companies/{company_id}/projects/{project_id}/webhooks/hooks",
):
    router.add_api_route(_prefix, list_hooks, methods=["GET"])
    router.add_api_route(_prefix, create_hook, methods=["POST"])
    router.add_api_route(_prefix + "/{hook_id}", show_hook, methods=["GET"])
    router.add_api_route(_prefix + "/{hook_id}", patch_hook, methods=["PATCH"])
    router.add_api_route(_prefix + "/{hook_id}", delete_hook, methods=["DELETE"])
    router.add_api_route(_prefix + "/{hook_id}/triggers", list_triggers, methods=["GET"])
    router.add_api_route(_prefix + "/{hook_id}/triggers", create_trigger, methods=["POST"])
    router.add_api_route(
        _prefix + "/{hook_id}/triggers/{trigger_id}", delete_trigger, methods=["DELETE"]
    )
    router.add_api_route(_prefix + "/{hook_id}/deliveries", list_deliveries, methods=["GET"])
