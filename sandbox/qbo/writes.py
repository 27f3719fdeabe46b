"""Create, update (full and sparse), delete, void and read: one entity at a time.

Each write validates against the company as it stands, recomputes the read-only fields, bumps
``SyncToken`` and returns a copy of what was stored (the response body's entity).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.qbo import validation as rules
from sandbox.qbo.compute import (
    fill_ref_names,
    finish_name_list,
    finish_transaction,
    refresh_hierarchy,
    stamp,
)
from sandbox.qbo.errors import DELETED_DETAIL, QboFault
from sandbox.qbo.realm import JsonObject, Realm
from sandbox.qbo.schema import NAME_LISTS, READ_ONLY, TRANSACTIONS


@dataclass
class WriteContext:
    realm: Realm
    now: datetime
    allow_duplicate_docnum: bool = False
    # (entity, id) created earlier in the same batch: invisible to later items' references
    hidden: set[tuple[str, str]] = field(default_factory=set)
    created: list[tuple[str, str]] = field(default_factory=list)


def _strip_read_only(body: JsonObject) -> JsonObject:
    return {k: v for k, v in copy.deepcopy(body).items() if k not in READ_ONLY}


def _validate(ctx: WriteContext, entity: str, obj: JsonObject, previous: JsonObject | None) -> None:
    self_id = str(obj.get("Id", ""))
    rules.check_properties(entity, obj)
    rules.check_lengths(obj)
    if entity in NAME_LISTS:
        rules.check_name_list(ctx.realm, entity, obj, self_id)
    rules.check_required(entity, obj)
    if entity in TRANSACTIONS:
        rules.check_lines(entity, obj)
        rules.check_total(entity, obj)
    rules.check_refs(ctx.realm, entity, obj, ctx.hidden)
    if entity in TRANSACTIONS:
        if not ctx.allow_duplicate_docnum:
            rules.check_doc_number(ctx.realm, entity, obj, self_id)
        txn_date = obj.get("TxnDate") or ctx.now.date().isoformat()
        rules.check_books_open(ctx.realm, txn_date, (previous or {}).get("TxnDate"))


def _store(ctx: WriteContext, entity: str, obj: JsonObject, previous: JsonObject | None) -> None:
    realm = ctx.realm
    if entity in TRANSACTIONS:
        finish_transaction(realm, entity, obj, previous, ctx.now)
    else:
        finish_name_list(realm, entity, obj)
    fill_ref_names(realm, entity, obj)
    stamp(obj, previous, ctx.now)
    realm.entities[entity][obj["Id"]] = obj
    if entity in NAME_LISTS:
        refresh_hierarchy(realm, entity)


def create(ctx: WriteContext, entity: str, body: JsonObject) -> JsonObject:
    obj = _strip_read_only(body)
    obj.pop("Id", None)
    obj.pop("SyncToken", None)
    _validate(ctx, entity, obj, None)
    obj["Id"] = ctx.realm.new_id()
    obj["SyncToken"] = "0"
    _store(ctx, entity, obj, None)
    ctx.created.append((entity, obj["Id"]))
    return copy.deepcopy(obj)


def _current(ctx: WriteContext, entity: str, body: JsonObject) -> JsonObject:
    """The stored object the body targets, after the Id and SyncToken checks (610, 5010)."""
    entity_id = str(body.get("Id", ""))
    current = ctx.realm.get(entity, entity_id)
    if current is None:
        raise QboFault("610", DELETED_DETAIL, element="Id")
    if "SyncToken" not in body:
        raise rules.required("SyncToken")
    if str(body["SyncToken"]) != current["SyncToken"]:
        raise QboFault(
            "5010",
            "Stale Object Error : You and root were working on this at the same time. root "
            f"finished before you did, so your work was not saved. Entity={entity}",
            element="SyncToken",
        )
    return current


def update(ctx: WriteContext, entity: str, body: JsonObject) -> JsonObject:
    current = _current(ctx, entity, body)
    incoming = _strip_read_only(body)
    if body.get("sparse") is True:
        # sparse: omitted fields are kept; a Line array, when sent, replaces all lines
        writable = {k: v for k, v in copy.deepcopy(current).items() if k not in READ_ONLY}
        obj = {**writable, **incoming}
    else:
        # full: writable fields left out of the body become NULL (research §2)
        obj = incoming
    obj["Id"] = current["Id"]
    _validate(ctx, entity, obj, current)
    obj["SyncToken"] = str(int(current["SyncToken"]) + 1)
    _store(ctx, entity, obj, current)
    return copy.deepcopy(obj)


def delete(ctx: WriteContext, entity: str, body: JsonObject) -> JsonObject:
    if entity not in TRANSACTIONS:
        raise QboFault("500", f"Operation Delete is not supported for {entity}.")
    current = _current(ctx, entity, body)
    rules.check_books_open(ctx.realm, current.get("TxnDate"))
    del ctx.realm.entities[entity][current["Id"]]
    return {"domain": "QBO", "status": "Deleted", "Id": current["Id"]}


def void(ctx: WriteContext, entity: str, body: JsonObject) -> JsonObject:
    """Invoice void: amounts go to zero, the document stays, its memo says so."""
    if entity != "Invoice":
        raise QboFault("500", f"Operation Void is not supported for {entity}.")
    current = _current(ctx, entity, body)
    rules.check_books_open(ctx.realm, current.get("TxnDate"))
    for line in current.get("Line") or []:
        line["Amount"] = 0
    current["PrivateNote"] = ("Voided - " + str(current.get("PrivateNote") or "")).strip(" -")
    current["SyncToken"] = str(int(current["SyncToken"]) + 1)
    finish_transaction(ctx.realm, entity, current, current, ctx.now)
    stamp(current, current, ctx.now)
    return copy.deepcopy(current)


def save(ctx: WriteContext, entity: str, body: Any, operation: str | None) -> JsonObject:
    """Dispatch a POST the way QBO does: by ``operation``, then by the presence of ``Id``."""
    if not isinstance(body, dict):
        raise QboFault("2010", f"Request body must be a JSON object for {entity}.")
    if operation == "delete":
        return delete(ctx, entity, body)
    if operation == "void":
        return void(ctx, entity, body)
    if operation not in (None, "create", "update"):
        raise QboFault("500", f"Operation {operation} is not supported.")
    if body.get("Id") not in (None, ""):
        return update(ctx, entity, body)
    return create(ctx, entity, body)


def read(realm: Realm, entity: str, entity_id: str) -> JsonObject:
    found = realm.get(entity, entity_id)
    if found is None:
        raise QboFault("610", DELETED_DETAIL, element="Id")
    return copy.deepcopy(found)
