"""The /v3/company/{realmId} routes: entities, query, batch, preferences."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from sandbox.qbo import batch, query_engine, query_parser, writes
from sandbox.qbo.errors import QboFault
from sandbox.qbo.pipeline import guarded, parse_json, state_of
from sandbox.qbo.realm import JsonObject
from sandbox.qbo.schema import BY_URL_NAME

router = APIRouter(prefix="/v3/company/{realm_id}")


def _entity(name: str) -> str:
    entity = BY_URL_NAME.get(name.lower())
    if entity is None:
        raise QboFault("500", f"Unsupported Operation : the entity {name} is not supported.")
    return entity


async def _query(request: Request, realm_id: str, text: str) -> Response:
    state = state_of(request)

    def handler() -> tuple[int, JsonObject]:
        parsed = query_parser.parse(text)
        return 200, {"QueryResponse": query_engine.run(state.realm(realm_id), parsed)}

    return await guarded(request, realm_id, handler, write=False)


@router.get("/query")
async def query_get(request: Request, realm_id: str, query: str = "") -> Response:
    return await _query(request, realm_id, query)


@router.post("/query")
async def query_post(request: Request, realm_id: str) -> Response:
    """``Content-Type: application/text``: the statement is the raw body."""
    return await _query(request, realm_id, (await request.body()).decode())


@router.post("/batch")
async def batch_post(request: Request, realm_id: str) -> Response:
    state = state_of(request)
    raw = await request.body()
    with_request_id = bool(request.query_params.get("requestid"))
    # parsed here, once, so the call log knows the item count; a parse error still answers
    # only after the gateway and authentication, from inside the handler
    invalid: QboFault | None = None
    try:
        body = parse_json(raw)
    except QboFault as fault:
        body, invalid = None, fault

    def handler() -> tuple[int, JsonObject]:
        if invalid is not None:
            raise invalid
        ctx = writes.WriteContext(state.realm(realm_id), state.now())
        return 200, batch.run_batch(ctx, body, with_request_id)

    items = batch.item_count(body)
    return await guarded(request, realm_id, handler, write=True, batch_items=items)


@router.get("/preferences")
async def preferences(request: Request, realm_id: str) -> Response:
    state = state_of(request)

    def handler() -> tuple[int, JsonObject]:
        prefs = state.realm(realm_id).preferences
        return 200, {"Preferences": {**prefs, "Id": "1", "SyncToken": "0", "domain": "QBO"}}

    return await guarded(request, realm_id, handler, write=False)


@router.get("/{entity}/{entity_id}")
async def read(request: Request, realm_id: str, entity: str, entity_id: str) -> Response:
    state = state_of(request)

    def handler() -> tuple[int, JsonObject]:
        name = _entity(entity)
        return 200, {name: writes.read(state.realm(realm_id), name, entity_id)}

    return await guarded(request, realm_id, handler, write=False)


@router.post("/{entity}")
async def write(request: Request, realm_id: str, entity: str) -> Response:
    """Create, update, delete and void share one URL (research §1)."""
    state = state_of(request)
    raw = await request.body()
    operation = request.query_params.get("operation")
    include = request.query_params.get("include", "").lower()

    def handler() -> tuple[int, JsonObject]:
        name = _entity(entity)
        ctx = writes.WriteContext(
            state.realm(realm_id),
            state.now(),
            allow_duplicate_docnum="allowduplicatedocnum" in include,
        )
        return 200, {name: writes.save(ctx, name, parse_json(raw), operation)}

    return await guarded(request, realm_id, handler, write=True)
