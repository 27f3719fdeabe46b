"""``costbridge demo``: the whole flow on the embedded default, against the sandboxes.

Everything runs in this process: the sandbox Procore and QuickBooks behind in-process
transports, SQLite in ``var/``, the real engine in between. Procore's webhooks are delivered to
the real ``/webhooks/procore`` endpoint. Without ``--once`` the service keeps running on a port
(with the sandboxes mounted under ``/sandbox/``) so a newcomer can look around.
"""

from __future__ import annotations

import httpx
import typer

from sandbox.demo.company import (
    DemoWorld,
    add_change_orders,
    build_world,
    register_hook,
)
from sandbox.demo.setup import (
    SERVICE_BASE,
    demo_settings,
    drain,
    sandbox_service,
    seed_costbridge,
    summary,
)
from sandbox.demo.slack import SandboxSlack
from sandbox.procore import create_app as procore_app
from sandbox.qbo import create_app as qbo_app
from sync.service import Service
from sync.settings import Settings
from sync.web import create_app


async def start_world(settings: Settings) -> tuple[DemoWorld, Service, httpx.AsyncClient]:
    """Seed the sandboxes and costbridge, wire webhooks to the real endpoint."""
    world = build_world()
    svc = await sandbox_service(demo_settings(settings, world), world)
    await seed_costbridge(svc, world)
    web = create_app(svc)
    hooks_http = httpx.AsyncClient(transport=httpx.ASGITransport(app=web))
    world.procore.webhook_http = hooks_http
    register_hook(world, f"{SERVICE_BASE}/webhooks/procore")
    add_change_orders(world)
    return world, svc, hooks_http


async def play(svc: Service, world: DemoWorld) -> None:
    """Deliver Procore's webhooks and let the worker drain the queue."""
    deliveries = await world.procore.dispatch_pending()
    ok = sum(1 for d in deliveries if d.status in {"delivered", "succeeded"})
    typer.echo(f"Procore delivered {len(deliveries)} webhooks ({ok} acknowledged)")
    typer.echo(f"worker ran {await drain(svc)} work items")


async def run_demo(settings: Settings, *, once: bool, port: int) -> int:
    if settings.slack_bot_token is not None:  # a real Slack workspace
        return await _run_demo(settings, once=once, port=port, slack=None)
    from sandbox.demo.slack import sandbox_slack

    async with sandbox_slack(port=0 if once else port + 1) as slack:
        return await _run_demo(slack.settings_for(settings), once=once, port=port, slack=slack)


async def _run_demo(
    settings: Settings, *, once: bool, port: int, slack: SandboxSlack | None
) -> int:
    world, svc, hooks_http = await start_world(settings)
    if slack is not None:
        slack.connect(create_app(svc))
        if not once:
            typer.echo(f"Slack (sandbox): open {slack.url}/ to resolve waiting change orders")
    try:
        await play(svc, world)
        typer.echo("\nDocuments after the first pass:")
        posted, waiting = await summary(svc)
        typer.echo(f"\n{posted} posted to the sandbox QuickBooks, {waiting} waiting for a human.")
        if once:
            return 0
        from sync.runtime import serve

        web = create_app(svc)
        web.mount("/sandbox/procore", procore_app(world.procore))
        web.mount("/sandbox/qbo", qbo_app(world.qbo))
        typer.echo(
            f"\ncostbridge is running on http://127.0.0.1:{port} "
            f"(health: /healthz; sandboxes under /sandbox/procore and /sandbox/qbo). "
            "Ctrl-C stops it."
        )
        await serve(svc, web, host="127.0.0.1", port=port)
        return 0
    finally:
        await hooks_http.aclose()
        await svc.aclose()
