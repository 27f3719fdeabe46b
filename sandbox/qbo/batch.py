"""The batch endpoint (research §5): up to 30 items run one after another, each answering
with its entity, its ``Fault`` or its ``QueryResponse``; the HTTP status stays 200."""

from __future__ import annotations

from typing import Any

from sandbox.qbo import query_engine, query_parser, writes
from sandbox.qbo.errors import QboFault
from sandbox.qbo.realm import JsonObject
from sandbox.qbo.schema import ALL_ENTITIES

MAX_ITEMS = 30
MAX_BID_WITH_REQUEST_ID = 10


def _item(ctx: writes.WriteContext, item: Any, with_request_id: bool) -> JsonObject:
    if not isinstance(item, dict):
        raise QboFault("2010", "BatchItemRequest entries must be objects")
    if with_request_id and len(str(item.get("bId", ""))) > MAX_BID_WITH_REQUEST_ID:
        raise QboFault("6000", "bId cannot be longer than 10 characters when requestid is set")
    if "Query" in item:
        response = query_engine.run(ctx.realm, query_parser.parse(str(item["Query"])))
        return {"QueryResponse": response}
    entities = [key for key in item if key in ALL_ENTITIES]
    if len(entities) != 1:
        raise QboFault("2010", "A batch item must carry exactly one entity or a Query")
    entity = entities[0]
    options = str(item.get("optionsData", "")).lower()
    ctx.allow_duplicate_docnum = "allowduplicatedocnum" in options
    result = writes.save(ctx, entity, item[entity], item.get("operation"))
    return {entity: result}


def item_count(body: Any) -> int:
    """How many items a batch body carries (0 when it is not a valid batch at all)."""
    items = body.get("BatchItemRequest") if isinstance(body, dict) else None
    return len(items) if isinstance(items, list) else 0


def run_batch(ctx: writes.WriteContext, body: Any, with_request_id: bool) -> JsonObject:
    items = body.get("BatchItemRequest") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise QboFault("2020", "Required parameter BatchItemRequest is missing in the request")
    if len(items) > MAX_ITEMS:
        # the exact code for an oversized batch is unverified; 6000 is QBO's generic one
        raise QboFault(
            "6000",
            f"Business Validation Error: a batch may hold at most {MAX_ITEMS} items "
            f"({len(items)} were sent).",
        )
    responses: list[JsonObject] = []
    for item in items:
        bid = item.get("bId") if isinstance(item, dict) else None
        try:
            responses.append({"bId": bid, **_item(ctx, item, with_request_id)})
        except QboFault as fault:
            responses.append({"bId": bid, "Fault": fault.fault()})
        # later items cannot see what earlier items created (research §5)
        ctx.hidden = set(ctx.created)
    return {"BatchItemResponse": responses}
