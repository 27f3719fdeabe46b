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
) -> None:
    """The Procore emulator (REST, OAuth, webhooks), seeded with the demo company."""
    from sandbox.demo import company as demo
    from sandbox.procore import create_app as procore_app

    cli_settings()
    world = demo.build_world()
    demo.add_change_orders(world)
    typer.echo(
        f"sandbox Procore on http://{host}:{port}: company {demo.PROCORE_COMPANY_ID}, "
        f"client id {demo.PROCORE_CLIENT_ID}, client secret {demo.PROCORE_CLIENT_SECRET}"
    )
    uvicorn.run(procore_app(world.procore), host=host, port=port, log_config=None)


@emulators.command("qbo")
def sandbox_qbo(
    port: Annotated[int, typer.Option()] = 8102,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
) -> None:
    """The QuickBooks Online emulator, seeded with the demo company."""
    from sandbox.demo import company as demo
    from sandbox.qbo import create_app as qbo_app

    cli_settings()
    world = demo.build_world()
    typer.echo(
        f"sandbox QuickBooks on http://{host}:{port}: realm {demo.QBO_REALM}, "
        f"client id {demo.QBO_CLIENT_ID}, client secret {demo.QBO_CLIENT_SECRET}, "
        f"refresh token {world.qbo_refresh_token}"
    )
    uvicorn.run(qbo_app(world.qbo), host=host, port=port, log_config=None)
