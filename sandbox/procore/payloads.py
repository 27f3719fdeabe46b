"""Webhook event bodies in Procore's payload formats v2.0, v3.0 and v4.0 (research §1.3)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from sandbox.procore.records import PayloadVersion
from sandbox.procore.timeutil import iso

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid(at: datetime, rng: random.Random) -> str:
    """A ULID (48-bit millisecond time + 80 random bits) so ids sort by time as Procore's do."""
    value = (int(at.timestamp() * 1000) << 80) | rng.getrandbits(80)
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


@dataclass(frozen=True)
class ChangeEvent:
    """Something happened to a resource; one event fans out to every matching hook."""

    event_id: int
    ulid: str
    resource_name: str
    resource_id: int
    event_type: str
    company_id: int
    project_id: int
    user_id: int
    source_application_id: str | None
    timestamp: datetime


def build_payload(event: ChangeEvent, version: PayloadVersion) -> dict[str, object]:
    """The JSON body Procore POSTs for ``event`` to a hook with ``version``."""
    if version == "v4.0":
        # v4.0: string ids, ``reason``/``resource_type``; the id itself is the ULID.
        return {
            "id": event.ulid,
            "timestamp": iso(event.timestamp),
            "reason": event.event_type,
            "company_id": str(event.company_id),
            "project_id": str(event.project_id),
            "user_id": str(event.user_id),
            "resource_type": event.resource_name,
            "resource_id": str(event.resource_id),
        }
    payload: dict[str, object] = {
        "api_version": "v2" if version == "v2.0" else "v3.0",
        "company_id": event.company_id,
        "event_type": event.event_type,
        "id": event.event_id,
        "metadata": {
            "source_application_id": event.source_application_id,
            "source_company_id": event.company_id,
            "source_operation_id": None,
            "source_project_id": event.project_id,
            "source_user_id": event.user_id,
        },
        "project_id": event.project_id,
        "resource_id": event.resource_id,
        "resource_name": event.resource_name,
        "timestamp": iso(event.timestamp),
        "ulid": event.ulid,
        "user_id": event.user_id,
    }
    if version == "v3.0":
        payload["related_resources"] = []
    return payload
