"""``--deliver-to``: the hook a user would otherwise register through the webhooks API.

One company hook per seeded company, with create/update/delete triggers on the change order
resources costbridge reads, so a change is delivered without any API call first.
"""

from __future__ import annotations

from sandbox.procore.hookstore import HookStore
from sandbox.procore.records import Hook
from sandbox.procore.state import COMMITMENT_RESOURCES, RESOURCE_NAMES

# The legacy "Change Order Packages" events are left out: they name the same change orders
# again, so costbridge would only resolve each change twice.
RESOURCES = (*RESOURCE_NAMES.values(), *COMMITMENT_RESOURCES.values())
EVENT_TYPES = ("create", "update", "delete")
NAMESPACE = "costbridge"


def register_destination(
    state: HookStore, url: str, *, authorization: str | None = None
) -> list[Hook]:
    """Hooks sending v4.0 payloads to ``url``; ValueError when no company is seeded yet."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"the destination must be an http(s) URL, not {url!r}")
    if not state.companies:
        raise ValueError("no company to register a hook in: seed one first")
    hooks = []
    for company_id in sorted(state.companies):
        hook = state.add_hook(
            company_id,
            url,
            namespace=NAMESPACE,
            payload_version="v4.0",  # recommended for new integrations; costbridge reads all
            authorization=authorization,
        )
        for resource in RESOURCES:
            for event_type in EVENT_TYPES:
                state.add_trigger(hook.id, resource, event_type)
        hooks.append(hook)
    return hooks
