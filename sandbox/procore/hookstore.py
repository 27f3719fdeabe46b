"""Webhook registrations (hooks, triggers) and the fan-out of events into queued deliveries."""

from __future__ import annotations

import asyncio
from collections.abc import Collection

import httpx

from sandbox.clock import Clock
from sandbox.procore.dispatcher import dispatch_pending
from sandbox.procore.payloads import ChangeEvent, build_payload
from sandbox.procore.records import Delivery, Hook, PayloadVersion, Trigger, WebhookSwitches
from sandbox.procore.store import Store


class HookStore(Store):
    """Hooks and triggers; ``queue`` turns an event into one delivery per matching hook."""

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        seed: int = 0,
        webhook_http: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(clock, seed=seed)
        self.hooks: dict[int, Hook] = {}
        self.triggers: dict[int, Trigger] = {}
        self.deliveries: list[Delivery] = []
        self.switches = WebhookSwitches()
        self.webhook_http = webhook_http  # where deliveries are POSTed (injectable for tests)
        # The delivery loop and POST /_sandbox/webhooks/dispatch may flush at the same time:
        # one flush at a time, or a delivery would be POSTed twice.
        self._flushing = asyncio.Lock()

    def add_hook(
        self,
        company_id: int,
        destination_url: str,
        *,
        project_id: int | None = None,
        namespace: str = "procore",
        payload_version: PayloadVersion = "v4.0",
        authorization: str | None = None,
    ) -> Hook:
        now = self.now()
        headers = {"Authorization": authorization} if authorization else {}
        hook = Hook(
            self.next_id(),
            company_id,
            project_id,
            namespace,
            destination_url,
            headers,
            payload_version,
            "active",
            now,
            now,
        )
        self.hooks[hook.id] = hook
        return hook

    def add_trigger(self, hook_id: int, resource_name: str, event_type: str) -> Trigger:
        if hook_id not in self.hooks:
            raise KeyError(hook_id)
        trigger = Trigger(self.next_id(), hook_id, resource_name, event_type.lower())
        self.triggers[trigger.id] = trigger
        return trigger

    def queue(self, event: ChangeEvent) -> None:
        for hook in self._matching_hooks(event):
            payload = build_payload(event, hook.payload_version)
            self.deliveries.append(
                Delivery(
                    self.next_id(), hook.id, hook.destination_url, payload, "enqueued",
                    event.resource_name, event.event_type,
                )
            )  # fmt: skip

    def _matching_hooks(self, event: ChangeEvent) -> list[Hook]:
        matches = []
        for hook in self.hooks.values():
            in_scope = hook.company_id == event.company_id and hook.project_id in (
                None,
                event.project_id,
            )
            if hook.status != "active" or not in_scope:
                continue
            if any(
                t.hook_id == hook.id
                and t.resource_name.lower() == event.resource_name.lower()
                and t.event_type == event.event_type
                for t in self.triggers.values()
            ):
                matches.append(hook)
        return matches

    async def dispatch_pending(self, *, hold: Collection[str] = frozenset()) -> list[Delivery]:
        """POST every queued delivery now (deterministic; see ``dispatcher``)."""
        async with self._flushing:
            return await dispatch_pending(self, hold=hold)
