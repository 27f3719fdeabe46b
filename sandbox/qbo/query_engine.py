"""Runs a parsed query against one company and shapes the ``QueryResponse``."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.qbo.errors import QboFault
from sandbox.qbo.query_parser import Condition, Query, Value
from sandbox.qbo.realm import JsonObject, Realm
from sandbox.qbo.schema import ALL_ENTITIES, NAME_LISTS, SPECS

DEFAULT_MAX = 100
LIMIT_MAX = 1000


def invalid(detail: str) -> QboFault:
    return QboFault("4001", f"QueryValidationError: {detail}")


def _entity(name: str) -> str:
    for entity in ALL_ENTITIES:
        if entity.lower() == name.lower():
            return entity
    raise invalid(f"Entity {name} is not supported")


def _check_path(entity: str, path: str) -> None:
    head = path.split(".")[0].lower()
    if head not in {p.lower() for p in SPECS[entity].properties}:
        raise invalid(f"Property {path.split('.')[0]} not found for Entity {entity}")


def resolve(obj: Any, path: str) -> Any:
    """Walk a dot path case-insensitively; a reference compares by its ``value``."""
    for part in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = next((v for k, v in obj.items() if k.lower() == part.lower()), None)
    if isinstance(obj, dict) and "value" in obj:
        return obj["value"]
    return obj


def _datetime(text: str) -> datetime | None:
    if "T" not in text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def _normalise(field: Any, wanted: Value) -> tuple[Any, Any] | None:
    """Both sides in one comparable type, or None when they cannot be compared."""
    if isinstance(field, bool) or isinstance(wanted, bool):
        as_bool = {"true": True, "false": False}
        left = field if isinstance(field, bool) else as_bool.get(str(field).lower())
        right = wanted if isinstance(wanted, bool) else as_bool.get(str(wanted).lower())
        return None if left is None or right is None else (left, right)
    if isinstance(field, int | Decimal):
        try:
            return Decimal(field), Decimal(str(wanted))
        except InvalidOperation:
            return None
    left_dt, right_dt = _datetime(str(field)), _datetime(str(wanted))
    if left_dt is not None and right_dt is not None:
        return left_dt, right_dt
    return str(field).lower(), str(wanted).lower()


def _compare(field: Any, op: str, wanted: Value) -> bool:
    if field is None or field == "":
        return op == "=" and wanted == " "  # QBO writes null as ' '
    pair = _normalise(field, wanted)
    if pair is None:
        return False
    left, right = pair
    if op == "=":
        return bool(left == right)
    try:
        return bool(
            {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]
        )
    except TypeError:
        return False


def _like(field: Any, pattern: Value) -> bool:
    regex = ".*".join(re.escape(part) for part in str(pattern).split("%"))
    return (
        field is not None and re.fullmatch(regex, str(field), re.IGNORECASE | re.DOTALL) is not None
    )


def matches(obj: JsonObject, condition: Condition) -> bool:
    field = resolve(obj, condition.path)
    if condition.op == "like":
        return _like(field, condition.values[0])
    if condition.op == "in":
        return any(_compare(field, "=", value) for value in condition.values)
    return _compare(field, condition.op, condition.values[0])


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (2, "")
    if isinstance(value, bool):
        return (0, Decimal(int(value)))
    if isinstance(value, int | Decimal):
        return (0, Decimal(value))
    text = str(value)
    return (0, Decimal(text)) if text.isdigit() else (1, text.lower())


def _by(path: str) -> Callable[[JsonObject], tuple[int, Any]]:
    return lambda row: _sort_key(resolve(row, path))


def run(realm: Realm, query: Query) -> JsonObject:
    entity = _entity(query.entity)
    conditions = list(query.where)
    for condition in conditions:
        _check_path(entity, condition.path)
        if condition.path.lower() == "id" and condition.op not in ("=", "in"):
            raise invalid(f"Operator {condition.op} is not supported for property Id")
    for path, _ in query.order:
        _check_path(entity, path)
    # name lists answer with active records only unless the query says otherwise
    if entity in NAME_LISTS and not any(c.path.lower() == "active" for c in conditions):
        conditions.append(Condition("Active", "=", (True,)))
    rows = [row for row in realm.rows(entity) if all(matches(row, c) for c in conditions)]
    if query.count:
        return {"totalCount": len(rows)}
    rows.sort(key=lambda row: _sort_key(row.get("Id")))
    for path, descending in reversed(query.order):  # stable sorts, last key first
        rows.sort(key=_by(path), reverse=descending)
    start = max(query.start, 1)
    limit = min(query.max_results if query.max_results is not None else DEFAULT_MAX, LIMIT_MAX)
    page = rows[start - 1 : start - 1 + max(limit, 0)]
    if not page:
        return {}
    return {
        entity: copy.deepcopy(page),
        "startPosition": start,
        "maxResults": len(page),
        "totalCount": len(page),
    }
