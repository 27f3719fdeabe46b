"""Webhook deliveries: check the static Authorization header, parse payloads v2.0/v3.0/v4.0.

Procore signs nothing; the only proof of origin is the header value we configured on the hook
(research §1.3), so it is compared in constant time and an unset value refuses everything.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sync.errors import InvalidEventError
from sync.sources.base import SourceEvent, UnauthorizedEventError


def verify_authorization(headers: Mapping[str, str], expected: str) -> None:
    """Raise ``UnauthorizedEventError`` unless ``Authorization`` equals ``expected`` exactly."""
    received = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    if not expected or received is None:
        raise UnauthorizedEventError("missing Authorization header")
    if not hmac.compare_digest(received.encode(), expected.encode()):
        raise UnauthorizedEventError("wrong Authorization header")


def _identifier(payload: Mapping[str, Any], field: str, *, required: bool = True) -> str:
    value = payload.get(field)
    if value is None and not required:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
        raise InvalidEventError(f"field {field!r} is missing or not an id (got {value!r})")
    return str(value)


def _text(payload: Mapping[str, Any], field: str) -> str:
    value = payload.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InvalidEventError(f"field {field!r} is missing or not text (got {value!r})")
    return value.strip()


def _occurred_at(payload: Mapping[str, Any]) -> datetime | None:
    value = payload.get("timestamp")
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_payload(body: bytes, *, our_client_id: str) -> SourceEvent:
    """A Procore webhook body → ``SourceEvent``; ``InvalidEventError`` says what is wrong."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidEventError(f"body is not valid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise InvalidEventError(f"body is a JSON {type(payload).__name__}, not an object")
    v4 = "resource_type" in payload or "reason" in payload
    if v4:  # v4.0: the id is the ULID; resource_type/reason replace resource_name/event_type
        key, resource = _identifier(payload, "id"), _text(payload, "resource_type")
        event_type = _text(payload, "reason")
    else:  # v2.0/v3.0: the ULID is the documented dedupe key (research §1.4)
        key, resource = _identifier(payload, "ulid"), _text(payload, "resource_name")
        event_type = _text(payload, "event_type")
    metadata = payload.get("metadata")
    app_id = metadata.get("source_application_id") if isinstance(metadata, dict) else None
    return SourceEvent(
        source="procore",
        key=key,
        resource_name=resource,
        resource_id=_identifier(payload, "resource_id"),
        event_type=event_type.lower(),
        company_id=_identifier(payload, "company_id", required=False),
        project_id=_identifier(payload, "project_id", required=False),
        occurred_at=_occurred_at(payload),
        caused_by_us=bool(our_client_id) and app_id is not None and str(app_id) == our_client_id,
    )
