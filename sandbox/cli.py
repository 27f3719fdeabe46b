"""``costbridge demo`` and ``costbridge sandbox``: the commands the sandbox package adds.

Registered through the ``costbridge.commands`` entry point (``sync.extensions``), so the
product's command line never imports an emulator.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
import uvicorn

from sync.cli.common import cli_settings

emulators = typer.Typer(help="Run a local emulator as a standalone server.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the demo and the emulators to ``app`` (the ``costbridge`` command)."""
    app.command()(demo)
    app.add_typer(emulators, name="sandbox")


def demo(
    once: Annotated[
        bool, typer.Option(help="Run the scenario to the end, summarise, exit.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port for the demo service.")] = 8000,
    target: Annotated[
        str, typer.Option(help="qbo: QuickBooks Online; qbd: Desktop via the Web Connector.")
    ] = "qbo",
) -> None:
    """The whole flow on the embedded default, against the sandbox Procore and QuickBooks."""
    from sandbox.demo.qbo import run_demo

    if target == "qbd":
        from sandbox.demo.qbd import run_demo_qbd

        raise typer.Exit(asyncio.run(run_demo_qbd(cli_settings(), once=once, port=port)))
    raise typer.Exit(asyncio.run(run_demo(cli_settings(), once=once, port=port)))


@emulators.command("procore")
def sandbox_procore(
    port: Annotated[int, typer.Option()] = 8101,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    deliver_to: Annotated[
        str | None,
        typer.Option(
            help="Register a hook that sends change order webhooks here, e.g. "
            "http://127.0.0.1:8000/webhooks/procore (hooks made through the webhooks API are "
            "delivered too)."
        ),
    ] = None,
    authorization: Annotated[
        str | None,
        typer.Option(
            help="The Authorization header that hook sends (default: "
            "COSTBRIDGE_PROCORE_WEBHOOK_AUTHORIZATION, so costbridge accepts it)."
        ),
    ] = None,
    latency_ms: Annotated[
        float, typer.Option(min=0, help="Delay every /rest and /oauth answer this long.")
    ] = 0.0,
) -> None:
    """The Procore emulator (REST, OAuth, webhooks), seeded with the demo company.

    Webhooks are delivered over HTTP by themselves shortly after each change."""
    from sandbox.demo import company as demo
    from sandbox.procore.destination import register_destination
    from sandbox.procore.instruments import instruments_of
    from sandbox.procore.standalone import serve

    # Refused before settings and logging are set up: a typo costs nothing to report.
    if deliver_to is not None and not deliver_to.startswith(("http://", "https://")):
        raise typer.BadParameter("give an http(s) URL", param_hint="--deliver-to")
    settings = cli_settings()
    world = demo.build_world()
    demo.add_change_orders(world)  # before any hook: the seeded history is not delivered
    header = authorization or settings.procore_webhook_authorization.get_secret_value()
    if deliver_to is not None:
        register_destination(world.procore, deliver_to, authorization=header or None)
    instruments_of(world.procore).latency_ms = latency_ms
    typer.echo(
        f"sandbox Procore on http://{host}:{port}: company {demo.PROCORE_COMPANY_ID}, "
        f"client id {demo.PROCORE_CLIENT_ID}, client secret {demo.PROCORE_CLIENT_SECRET}"
    )
    if deliver_to is not None:
        unsigned = "" if header else " without an Authorization header (costbridge answers 401)"
        typer.echo(f"delivering change order webhooks to {deliver_to}{unsigned}")
    if latency_ms:
        typer.echo(f"every API answer is delayed {latency_ms:g} ms")
    serve(world.procore, host=host, port=port)


@emulators.command("qbo")
def sandbox_qbo(
    port: Annotated[int, typer.Option()] = 8102,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    real_limits: Annotated[
        bool,
        typer.Option(
            help="Throttle as QBO does: 500 requests/min per realm, 10/s and 10 in flight per "
            "realm+app, batches 40/min per realm+app and 120/min per realm (429, Fault 3001). "
            "Change them with PUT /_sandbox/limits."
        ),
    ] = False,
    latency_ms: Annotated[
        float, typer.Option(min=0, help="Delay every OAuth and /v3 answer this long.")
    ] = 0.0,
) -> None:
    """The QuickBooks Online emulator, seeded with the demo company."""
    from sandbox.demo import company as demo
    from sandbox.qbo import create_app as qbo_app

    cli_settings()
    world = demo.build_world()
    world.qbo.throttle.config.enabled = real_limits
    world.qbo.latency_ms = latency_ms
    typer.echo(
        f"sandbox QuickBooks on http://{host}:{port}: realm {demo.QBO_REALM}, "
        f"client id {demo.QBO_CLIENT_ID}, client secret {demo.QBO_CLIENT_SECRET}, "
        f"refresh token {world.qbo_refresh_token}"
    )
    if real_limits:
        typer.echo("QuickBooks' request limits are on: GET /_sandbox/limits shows them")
    if latency_ms:
        typer.echo(f"every API answer is delayed {latency_ms:g} ms")
    uvicorn.run(qbo_app(world.qbo), host=host, port=port, log_config=None)
