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
from sync.sources.base import Listed, SourceEvent
from sync.sources.procore import normalize
from sync.sources.procore.cache import Recent
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
# Webhooks that say a record documents refer to changed: its cached answer goes (cache.py).
FORGETS = {
    "projects": "project",
    "company vendors": "vendor",
    "project vendors": "vendor",
    "work order contracts": "commitment",
    "purchase order contracts": "commitment",
    "cost codes": "cost codes",
    "standard cost codes": "all cost codes",
    "line item types": "cost types",
}
# v1 list pages: the older docs allow 10,000 items, the newer ones ask to keep to 2,000.
V1_PAGE = 2_000
CACHE_TTL = timedelta(minutes=15)
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
        self,
        client: ProcoreClient,
        *,
        webhook_authorization: str,
        client_id: str,
        app_base: str,
        cache_ttl: timedelta = CACHE_TTL,
    ) -> None:
        self._client = client
        self._authorization = webhook_authorization
        self._client_id = client_id
        self._app_base = app_base
        clock = client.clock
        self._projects: Recent[ProjectRef] = Recent(clock, ttl=cache_ttl)
        self._commitments: Recent[Mapping[str, Any]] = Recent(clock, ttl=cache_ttl)
        self._vendors: Recent[PartyRef] = Recent(clock, ttl=cache_ttl)
        self._vendors_listed: Recent[bool] = Recent(clock, ttl=cache_ttl, size=1)
        # project id → full code → code; line item type code → type
        self._cost_codes: Recent[dict[str, CostCode]] = Recent(clock, ttl=cache_ttl)
        self._cost_types: Recent[dict[str, CostType]] = Recent(clock, ttl=cache_ttl, size=1)

    def parse_event(self, headers: Mapping[str, str], body: bytes) -> SourceEvent:
        verify_authorization(headers, self._authorization)
        return parse_payload(body, our_client_id=self._client_id)

    async def resolve(self, event: SourceEvent) -> list[DocumentRef]:
        name = event.resource_name.lower()
        self._forget(name, event)
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
                per_page=V1_PAGE,
            )
            refs += [self._ref(kind, item, event.project_id) for item in found]
        return refs

    def _forget(self, name: str, event: SourceEvent) -> None:
        """A webhook about a record documents refer to: its cached answer goes (cache.py)."""
        what = FORGETS.get(name)
        if what == "project":
            self._projects.drop(event.resource_id)
        elif what == "vendor":
            self._vendors.drop(event.resource_id)
        elif what == "commitment":
            self._commitments.drop(event.resource_id)
        elif what == "cost codes":
            self._cost_codes.drop(event.project_id)
        elif what == "all cost codes":
            self._cost_codes.clear()
        elif what == "cost types":
            self._cost_types.clear()

    async def fetch(
        self, ref: DocumentRef, listed: Mapping[str, Any] | None = None
    ) -> SourceDocument:
        if ref.kind is DocumentKind.COMMITMENT:
            return await self._fetch_commitment(ref)  # its list answer has no SOV lines
        if ref.kind is DocumentKind.COMMITMENT_CHANGE_ORDER:
            return await self._fetch_commitment_change_order(ref, listed)
        return await self._fetch_prime_change_order(ref, listed)

    async def list_changed(self, since: datetime) -> list[Listed]:
        """Change orders as the lists answer them (the same default view as a show, so their
        sync reads only their lines), and commitments; projects and commitments are cached."""
        window = f"{_utc_seconds(since)}...{_utc_seconds(self._client.clock.now(), round_up=True)}"
        projects = await self._client.get_all(
            "/rest/v1.0/projects", {"company_id": self._client.company_id}, per_page=V1_PAGE
        )
        found: list[Listed] = []
        for project in projects:
            if _object(project, "project").get("active") is False:
                continue
            project_id = str(project["id"])
            self._projects.put(project_id, normalize.project_ref(project))
            for kind, path in LIST_PATHS.items():
                changed = await self._client.get_all(
                    path.format(project_id=project_id),
                    {"filters[updated_at]": window},
                    per_page=V1_PAGE,
                )
                found += [
                    Listed(self._ref(kind, item, project_id), _object(item, "change order"))
                    for item in changed
                ]
            found += await self._changed_commitments(project_id, window, since)
        return found

    async def _changed_commitments(
        self, project_id: str, window: str, since: datetime
    ) -> list[Listed]:
        listed = await self._client.get_all(
            COMMITMENTS,
            {"project_id": project_id, "filters[updated_at]": window},
            per_page=V1_PAGE,
        )
        for item in listed:  # their change orders need the vendor and the number
            self._commitments.put(str(_object(item, "commitment")["id"]), item)
        # Research does not list updated_at among this endpoint's filters: a Procore that
        # ignores it answers every commitment, so the window is applied here too (or every
        # sweep would fetch them all again).
        return [
            Listed(self._ref(DocumentKind.COMMITMENT, item, project_id))
            for item in listed
            if _updated_since(_object(item, "commitment"), since)
        ]

    async def _order(
        self, ref: DocumentRef, listed: Mapping[str, Any] | None, what: str
    ) -> Mapping[str, Any]:
        """The change order: as a list answered it, or read."""
        if listed is not None and str(listed.get("id")) == ref.id:
            return _object(listed, what)
        path = f"{LIST_PATHS[ref.kind].format(project_id=ref.project_id)}/{ref.id}"
        return _object(await self._client.get(path), what)

    # --- fetching ------------------------------------------------------------------------------

    async def _fetch_commitment(self, ref: DocumentRef) -> SourceDocument:
        project_id = ref.project_id
        # One read: the show answer carries the SOV line items.
        commitment = _object(
            await self._client.get(f"{COMMITMENTS}/{ref.id}", {"project_id": project_id}),
            "commitment",
        )
        self._commitments.put(ref.id, commitment)
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

    async def _fetch_commitment_change_order(
        self, ref: DocumentRef, listed: Mapping[str, Any] | None
    ) -> SourceDocument:
        company, project_id = self._client.company_id, ref.project_id
        order = await self._order(ref, listed, "commitment change order")
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

    async def _fetch_prime_change_order(
        self, ref: DocumentRef, listed: Mapping[str, Any] | None
    ) -> SourceDocument:
        project_id = ref.project_id
        order = await self._order(ref, listed, "prime change order")
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
        found = self._projects.get(project_id)
        if found is None:
            project = await self._client.get(
                f"/rest/v1.0/projects/{project_id}", {"company_id": self._client.company_id}
            )
            found = normalize.project_ref(_object(project, "project"))
            self._projects.put(project_id, found)
        return found

    async def _commitment(
        self, order: Mapping[str, Any], project_id: str
    ) -> tuple[PartyRef | None, str]:
        """The commitment's vendor and its number."""
        contract_id = str(order.get("contract_id"))
        commitment = self._commitments.get(contract_id)
        if commitment is None:
            commitment = _object(
                await self._client.get(f"{COMMITMENTS}/{contract_id}", {"project_id": project_id}),
                "commitment",
            )
            self._commitments.put(contract_id, commitment)
        number = normalize.text(commitment.get("number"))
        return await self._vendor(commitment.get("vendor")), number

    async def _vendor(self, vendor: Any) -> PartyRef | None:
        """The vendor as the company's vendor list says now: the name on a commitment is the
        one it was written with. The whole list is one call for the documents that follow."""
        if not vendor:
            return None
        vendor_id = str(_object(vendor, "vendor")["id"])
        found = self._vendors.get(vendor_id)
        if found is None and self._vendors_listed.get("all") is None:
            every = await self._client.get_all(
                "/rest/v1.0/vendors", {"company_id": self._client.company_id}, per_page=V1_PAGE
            )
            for item in every:
                party = normalize.party_ref(_object(item, "vendor"))
                self._vendors.put(party.id, party)
            self._vendors_listed.put("all", True)
            found = self._vendors.get(vendor_id)
        if found is None:  # added since the list was read
            full = await self._client.get(
                f"/rest/v1.0/vendors/{vendor_id}", {"company_id": self._client.company_id}
            )
            found = normalize.party_ref(_object(full, "vendor"))
            self._vendors.put(vendor_id, found)
        return found

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
            found = await self._client.get_all(
                "/rest/v1.0/cost_codes", {"project_id": project_id}, per_page=V1_PAGE
            )
            cached = {
                c.code: c for c in (normalize.cost_code(_object(i, "cost code")) for i in found)
            }
            self._cost_codes.put(project_id, cached)
        return cached

    async def _company_cost_types(self, wanted: Iterable[str]) -> dict[str, CostType]:
        cached = self._cost_types.get("all")
        if cached is None or not set(wanted) <= cached.keys():
            found = await self._client.get_all(
                "/rest/v1.0/line_item_types",
                {"company_id": self._client.company_id},
                per_page=V1_PAGE,
            )
            cached = {
                t.code: t
                for t in (normalize.cost_type(_object(i, "line item type")) for i in found)
            }
            self._cost_types.put("all", cached)
        return cached

    def _ref(self, kind: DocumentKind, item: Any, project_id: str) -> DocumentRef:
        return DocumentRef(
            kind=kind, id=str(_object(item, "listed document")["id"]), project_id=project_id
        )

    def _url(self, ref: DocumentRef, order: Mapping[str, Any]) -> str:
        return normalize.change_order_url(
            self._app_base, ref.project_id, order.get("legacy_package_id")
        )
