"""``ProcoreSource``: the ``Source`` interface over ``ProcoreClient`` (change orders and
commitments)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from sync.errors import FatalError
from sync.models import (
    CostCode,
    CostType,
    DocumentKind,
    DocumentRef,
    PartyRef,
    ProjectRef,
    SourceDocument,
)
from sync.sources.base import SourceEvent
from sync.sources.procore import normalize
from sync.sources.procore.client import ProcoreClient
from sync.sources.procore.events import parse_payload, verify_authorization

log = structlog.get_logger("sync.sources.procore")
PACKAGES = "change order packages"
RESOURCE_KINDS = {
    "commitment change orders": DocumentKind.COMMITMENT_CHANGE_ORDER,
    "prime change orders": DocumentKind.PRIME_CHANGE_ORDER,
    "work order contracts": DocumentKind.COMMITMENT,
    "purchase order contracts": DocumentKind.COMMITMENT,
}
# SOV line events name the line, not its commitment. They are not needed: a change to the SOV
# also updates the commitment (its own event, and its updated_at for the sweep).
LINE_ITEM_RESOURCES = {"work order contract line items", "purchase order contract line items"}
COMMITMENTS = "/rest/v1.0/commitments"
_PROJECT = "/rest/v1.0/projects/{project_id}"
LIST_PATHS = {
    DocumentKind.COMMITMENT_CHANGE_ORDER: _PROJECT + "/commitment_change_orders",
    DocumentKind.PRIME_CHANGE_ORDER: _PROJECT + "/prime_change_orders",
}


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise FatalError(f"Procore {what} is not a JSON object", system="procore", code="shape")
    return value


def _utc_seconds(value: datetime, *, round_up: bool = False) -> str:
    # Whole seconds; rounding the end up keeps a record updated in the last fraction inside.
    value = value.astimezone(UTC)
    if round_up and value.microsecond:
        value += timedelta(seconds=1)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _updated_since(item: Mapping[str, Any], since: datetime) -> bool:
    """Inside the window from ``since`` (whole seconds, as the filter sent to Procore)."""
    # Kept when undated: fetching a document again is harmless, missing a change is not.
    if not item.get("updated_at"):
        return True
    return normalize.timestamp(item["updated_at"], "updated_at") >= since.replace(microsecond=0)


class ProcoreSource:
    """Verify and parse Procore webhooks; fetch and list commitment and prime change orders
    and commitments (work order and purchase order contracts with their SOV)."""

    name = "procore"

    def __init__(
        self, client: ProcoreClient, *, webhook_authorization: str, client_id: str, app_base: str
    ) -> None:
        self._client = client
        self._authorization = webhook_authorization
        self._client_id = client_id
        self._app_base = app_base
        self._cost_codes: dict[str, dict[str, CostCode]] = {}  # project id → full code → code
        self._cost_types: dict[str, CostType] | None = None  # line item type code → type

    def parse_event(self, headers: Mapping[str, str], body: bytes) -> SourceEvent:
        verify_authorization(headers, self._authorization)
        return parse_payload(body, our_client_id=self._client_id)

    async def resolve(self, event: SourceEvent) -> list[DocumentRef]:
        name = event.resource_name.lower()
        if name in LINE_ITEM_RESOURCES:
            log.debug("procore.line_item_event_ignored", resource_name=event.resource_name)
            return []
        if name not in RESOURCE_KINDS and name != PACKAGES:
            return []
        if not event.project_id:
            log.warning("procore.event_without_project", resource_name=event.resource_name)
            return []
        if name in RESOURCE_KINDS:
            kind = RESOURCE_KINDS[name]
            return [DocumentRef(kind=kind, id=event.resource_id, project_id=event.project_id)]
        # Legacy package events: the package id is not a change order id (research §2.4).
        refs = []
        for kind, path in LIST_PATHS.items():
            found = await self._client.get_all(
                path.format(project_id=event.project_id),
                {"filters[legacy_package_id]": event.resource_id},
            )
            refs += [self._ref(kind, item, event.project_id) for item in found]
        return refs

    async def fetch(self, ref: DocumentRef) -> SourceDocument:
        if ref.kind is DocumentKind.COMMITMENT:
            return await self._fetch_commitment(ref)
        if ref.kind is DocumentKind.COMMITMENT_CHANGE_ORDER:
            return await self._fetch_commitment_change_order(ref)
        return await self._fetch_prime_change_order(ref)

    async def list_changed(self, since: datetime) -> list[DocumentRef]:
        window = f"{_utc_seconds(since)}...{_utc_seconds(self._client.clock.now(), round_up=True)}"
        projects = await self._client.get_all(
            "/rest/v1.0/projects", {"company_id": self._client.company_id}
        )
        refs: list[DocumentRef] = []
        for project in projects:
            if _object(project, "project").get("active") is False:
                continue
            project_id = str(project["id"])
            for kind, path in LIST_PATHS.items():
                changed = await self._client.get_all(
                    path.format(project_id=project_id), {"filters[updated_at]": window}
                )
                refs += [self._ref(kind, item, project_id) for item in changed]
            refs += await self._changed_commitments(project_id, window, since)
        return refs

    async def _changed_commitments(
        self, project_id: str, window: str, since: datetime
    ) -> list[DocumentRef]:
        listed = await self._client.get_all(
            COMMITMENTS, {"project_id": project_id, "filters[updated_at]": window}
        )
        # Research does not list updated_at among this endpoint's filters: a Procore that
        # ignores it answers every commitment, so the window is applied here too (or every
        # sweep would fetch them all again).
        return [
            self._ref(DocumentKind.COMMITMENT, item, project_id)
            for item in listed
            if _updated_since(_object(item, "commitment"), since)
        ]

    # --- fetching ------------------------------------------------------------------------------

    async def _fetch_commitment(self, ref: DocumentRef) -> SourceDocument:
        project_id = ref.project_id
        # One read: the show answer carries the SOV line items.
        commitment = _object(
            await self._client.get(f"{COMMITMENTS}/{ref.id}", {"project_id": project_id}),
            "commitment",
        )
        items = [_object(item, "line item") for item in commitment.get("line_items") or []]
        codes, types = await self._wbs_references(project_id, items)
        lines = [normalize.sov_line(item, n, codes, types) for n, item in enumerate(items, 1)]
        return normalize.commitment(
            commitment,
            lines,
            await self._project(project_id),
            await self._vendor(commitment.get("vendor")),
            normalize.commitment_url(self._app_base, project_id, commitment),
        )

    async def _fetch_commitment_change_order(self, ref: DocumentRef) -> SourceDocument:
        company, project_id = self._client.company_id, ref.project_id
        order = _object(
            await self._client.get(
                f"{LIST_PATHS[ref.kind].format(project_id=project_id)}/{ref.id}"
            ),
            "commitment change order",
        )
        items = await self._client.get_all(
            f"/rest/v2.0/companies/{company}/projects/{project_id}"
            f"/commitment_change_orders/{ref.id}/line_items"
        )
        items = [_object(item, "line item") for item in items]
        codes, types = await self._wbs_references(project_id, items)
        lines = [
            normalize.commitment_line(item, n, codes, types) for n, item in enumerate(items, 1)
        ]
        vendor, contract_number = await self._commitment(order, project_id)
        return normalize.change_order(
            ref.kind,
            order,
            lines,
            await self._project(project_id),
            vendor,
            self._url(ref, order),
            contract_number=contract_number,
        )

    async def _fetch_prime_change_order(self, ref: DocumentRef) -> SourceDocument:
        project_id = ref.project_id
        order = _object(
            await self._client.get(
                f"{LIST_PATHS[ref.kind].format(project_id=project_id)}/{ref.id}"
            ),
            "prime change order",
        )
        package_id = order.get("legacy_package_id")
        if package_id is None:
            # Lines of prime change orders live on the legacy package; without it we cannot post.
            raise FatalError(
                f"Prime change order {ref.id} has no legacy_package_id",
                system="procore",
                code="shape",
            )
        package = _object(
            await self._client.get(
                f"/rest/v1.0/change_order_packages/{package_id}", {"project_id": project_id}
            ),
            "change order package",
        )
        items = package.get("line_items") or []
        lines = [normalize.package_line(_object(i, "line item"), n) for n, i in enumerate(items, 1)]
        return normalize.change_order(
            ref.kind, order, lines, await self._project(project_id), None, self._url(ref, order)
        )

    async def _project(self, project_id: str) -> ProjectRef:
        project = await self._client.get(
            f"/rest/v1.0/projects/{project_id}", {"company_id": self._client.company_id}
        )
        return normalize.project_ref(_object(project, "project"))

    async def _commitment(
        self, order: Mapping[str, Any], project_id: str
    ) -> tuple[PartyRef | None, str]:
        """The commitment's vendor (read fresh) and its number."""
        commitment = _object(
            await self._client.get(
                f"/rest/v1.0/commitments/{order.get('contract_id')}", {"project_id": project_id}
            ),
            "commitment",
        )
        number = normalize.text(commitment.get("number"))
        return await self._vendor(commitment.get("vendor")), number

    async def _vendor(self, vendor: Any) -> PartyRef | None:
        if not vendor:
            return None
        # Read the vendor itself: its name may have changed since the commitment was written.
        full = await self._client.get(
            f"/rest/v1.0/vendors/{_object(vendor, 'vendor')['id']}",
            {"company_id": self._client.company_id},
        )
        return normalize.party_ref(_object(full, "vendor"))

    async def _wbs_references(
        self, project_id: str, items: Iterable[Mapping[str, Any]]
    ) -> tuple[dict[str, CostCode], dict[str, CostType]]:
        """The project's cost codes and the company's cost types the lines' WBS codes name."""
        split = [normalize.split_flat_code(c) for c in map(normalize.flat_code, items) if c]
        if not split:  # no line names a WBS code (or there are no lines): nothing to look up
            return {}, {}
        codes = await self._project_cost_codes(project_id, {code for code, _ in split})
        types = await self._company_cost_types({kind for _, kind in split})
        return codes, types

    async def _project_cost_codes(
        self, project_id: str, wanted: Iterable[str]
    ) -> dict[str, CostCode]:
        cached = self._cost_codes.get(project_id)
        if cached is None or not set(wanted) <= cached.keys():
            found = await self._client.get_all("/rest/v1.0/cost_codes", {"project_id": project_id})
            cached = {
                c.code: c for c in (normalize.cost_code(_object(i, "cost code")) for i in found)
            }
            self._cost_codes[project_id] = cached
        return cached

    async def _company_cost_types(self, wanted: Iterable[str]) -> dict[str, CostType]:
        cached = self._cost_types
        if cached is None or not set(wanted) <= cached.keys():
            found = await self._client.get_all(
                "/rest/v1.0/line_item_types", {"company_id": self._client.company_id}
            )
            cached = {
                t.code: t
                for t in (normalize.cost_type(_object(i, "line item type")) for i in found)
            }
            self._cost_types = cached
        return cached

    def _ref(self, kind: DocumentKind, item: Any, project_id: str) -> DocumentRef:
        return DocumentRef(
            kind=kind, id=str(_object(item, "listed document")["id"]), project_id=project_id
        )

    def _url(self, ref: DocumentRef, order: Mapping[str, Any]) -> str:
        return normalize.change_order_url(
            self._app_base, ref.project_id, order.get("legacy_package_id")
        )
