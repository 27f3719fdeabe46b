"""JSON in and out with exact decimals: money never passes through a float."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def loads(data: bytes | str) -> Any:
    """Parse JSON, reading every non-integer number as a ``Decimal``."""
    return json.loads(data, parse_float=Decimal)


def _default(value: object) -> object:
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _encode(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a JSON number: {value}")
        # Fixed-point text, exactly as many digits as the Decimal carries ("12500.00").
        return format(value, "f")
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k))}:{_encode(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    return json.dumps(value, default=_default)


def dumps(value: Any) -> bytes:
    """Serialise to compact UTF-8 JSON, writing ``Decimal`` as an exact JSON number."""
    return _encode(value).encode()
