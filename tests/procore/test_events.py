"""parse_event and resolve: verifying and reading Procore webhook deliveries."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from sandbox.procore import LineSeed
from sync.errors import InvalidEventError
from sync.models import DocumentKind, DocumentRef
from sync.sources.base import SourceEvent, UnauthorizedEventError
from tests.procore.conftest import CLIENT_ID, HOOK_AUTH

GOOD = {"Authorization": HOOK_AUTH, "Content-Type": "application/json"}

V2: dict[str, Any] = {
    "api_version": "v2",
    "company_id": 6452,
    "event_type": "UPDATE",
    "id": 11301387632,
    "metadata": {
        "source_application_id": None,
        "source_company_id": 6452,
        "source_operation_id": None,
        "source_project_id": 219542,
        "source_user_id": 1469242,
    },
    "project_id": 219542,
    "resource_id": 245510722,
    "resource_name": "Commitment Change Orders",
    "timestamp": "2020-07-20T15:22:01.353581Z",
    "ulid": "01EDPD2J6SBY1163N77H95GW09",
    "user_id": 1469242,
}

V4 = {
    "id": "01JMYXMZRBVKK0PC6XS8SA4QRE",
    "timestamp": "2025-02-25T16:04:43.619085Z",
    "reason": "create",
    "company_id": "8",
    "project_id": "6778",
    "user_id": "5447",
    "resource_type": "Prime Change Orders",
    "resource_id": "379913",
}


def body(payload: object) -> bytes:
    return json.dumps(payload).encode()


def test_v2_payload(source):
    event = source.parse_event(GOOD, body(V2))
    assert event == SourceEvent(
        source="procore",
        key="01EDPD2J6SBY1163N77H95GW09",
        resource_name="Commitment Change Orders",
        resource_id="245510722",
        event_type="update",
        company_id="6452",
        project_id="219542",
        occurred_at=datetime(2020, 7, 20, 15, 22, 1, 353581, tzinfo=UTC),
        caused_by_us=False,
    )


def test_v4_payload(source):
    event = source.parse_event(GOOD, body(V4))
    assert (event.key, event.resource_name, event.resource_id) == (
        "01JMYXMZRBVKK0PC6XS8SA4QRE",
        "Prime Change Orders",
        "379913",
    )
    assert (event.event_type, event.company_id, event.project_id) == ("create", "8", "6778")
    assert event.caused_by_us is False


def test_v3_related_resources_are_accepted(source):
    payload = {
        **V2,
        "api_version": "v3.0",
        "related_resources": [{"id": 1, "name": "Direct Costs"}],
    }
    assert source.parse_event(GOOD, body(payload)).key == V2["ulid"]


def test_our_own_change_is_flagged(source):
    payload = {**V2, "metadata": {**V2["metadata"], "source_application_id": CLIENT_ID}}
    assert source.parse_event(GOOD, body(payload)).caused_by_us is True
    other = {**V2, "metadata": {**V2["metadata"], "source_application_id": "someone-else"}}
    assert source.parse_event(GOOD, body(other)).caused_by_us is False


def test_header_lookup_is_case_insensitive(source):
    assert source.parse_event({"authorization": HOOK_AUTH}, body(V4)).resource_id == "379913"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": HOOK_AUTH + " "},
        {"Authorization": ""},
    ],
)
def test_missing_or_wrong_authorization_is_refused(source, headers):
    with pytest.raises(UnauthorizedEventError):
        source.parse_event(headers, body(V2))


def test_unset_expected_value_refuses_everything(client):
    from sync.sources.procore import ProcoreSource

    open_door = ProcoreSource(
        client, webhook_authorization="", client_id=CLIENT_ID, app_base="https://x"
    )
    with pytest.raises(UnauthorizedEventError):
        open_door.parse_event({"Authorization": ""}, body(V2))


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "JSON list, not an object"),
        (body({k: v for k, v in V2.items() if k != "resource_name"}), "'resource_name'"),
        (body({k: v for k, v in V2.items() if k != "resource_id"}), "'resource_id'"),
        (body({k: v for k, v in V2.items() if k != "ulid"}), "'ulid'"),
        (body({**V2, "resource_id": None}), "'resource_id'"),
        (body({k: v for k, v in V4.items() if k != "id"}), "'id'"),
        (body({**V4, "reason": ""}), "'reason'"),
    ],
)
def test_malformed_bodies_say_why(source, raw, reason):
    with pytest.raises(InvalidEventError) as caught:
        source.parse_event(GOOD, raw)
    assert reason in str(caught.value)


async def test_resolve_direct_change_order_resources(source):
    event = source.parse_event(GOOD, body(V2))
    assert await source.resolve(event) == [
        DocumentRef(kind=DocumentKind.COMMITMENT_CHANGE_ORDER, id="245510722", project_id="219542")
    ]
    prime = source.parse_event(GOOD, body(V4))
    assert await source.resolve(prime) == [
        DocumentRef(kind=DocumentKind.PRIME_CHANGE_ORDER, id="379913", project_id="6778")
    ]


async def test_resolve_ignores_other_resources(source, world):
    event = source.parse_event(GOOD, body({**V2, "resource_name": "Direct Costs"}))
    assert await source.resolve(event) == []
    assert world.requests == []  # nothing fetched for resources we do not sync


async def test_resolve_legacy_package_looks_up_its_change_order(source, world):
    order = world.state.add_commitment_change_order(
        world.commitment.id, "003", [LineSeed("Wire", "10.00", "16-100", "M")]
    )
    world.state.add_commitment_change_order(world.commitment.id, "004")  # another package
    payload = {
        **V2,
        "resource_name": "Change Order Packages",
        "resource_id": order.legacy_package_id,
        "project_id": world.project.id,
        "company_id": world.project.company_id,
    }
    refs = await source.resolve(source.parse_event(GOOD, body(payload)))
    assert refs == [
        DocumentRef(
            kind=DocumentKind.COMMITMENT_CHANGE_ORDER,
            id=str(order.id),
            project_id=str(world.project.id),
        )
    ]
