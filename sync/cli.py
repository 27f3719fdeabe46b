"""The ``costbridge`` command line."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
import uvicorn

from sync.cli_rules import rules_app
from sync.logs import configure_logging
from sync.settings import Settings, get_settings
from sync.targets.qbd.cli import app as qbwc_app

app = typer.Typer(
    help="costbridge: Procore job costs into QuickBooks, exactly once.", no_args_is_help=True
)
db_app = typer.Typer(help="Database commands.", no_args_is_help=True)
sandbox_app = typer.Typer(help="Run a local emulator as a standalone server.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(qbwc_app, name="qbwc")
app.add_typer(rules_app, name="rules")


def _settings() -> Settings:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return settings


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    worker: Annotated[bool, typer.Option(help="Run the worker in this process.")] = True,
) -> None:
    """Web (webhooks, health) + worker + scheduler in one process."""
    from bot.socket_mode import SocketModeRefused
    from sync.runtime import serve as run
    from sync.service import build_service
    from sync.web import create_app

    svc = build_service(_settings())
    try:
        asyncio.run(run(svc, create_app(svc), host=host, port=port, worker=worker))
    except SocketModeRefused as exc:  # a setting is missing: say which, no traceback
        asyncio.run(svc.aclose())
        typer.echo(f"costbridge serve: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def worker() -> None:
    """Only the worker (run several against PostgreSQL to scale out)."""
    from db.migrate import upgrade
    from sync.service import build_service
    from sync.worker import run_forever

    async def main() -> None:
        svc = build_service(_settings())
        await upgrade(svc.engine)
        from bot.runtime import install

        install(svc)  # Slack notices are sent by whichever worker runs them
        try:
            await run_forever(svc, asyncio.Event())
        finally:
            await svc.aclose()

    asyncio.run(main())


@app.command()
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
    from sync.demo import run_demo

    if target == "qbd":
        from sync.demo_qbd import run_demo_qbd

        raise typer.Exit(asyncio.run(run_demo_qbd(_settings(), once=once, port=port)))
    raise typer.Exit(asyncio.run(run_demo(_settings(), once=once, port=port)))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date (serve and demo do this by themselves)."""
    from db.migrate import upgrade
    from db.session import create_engine

    async def main() -> None:
        engine = create_engine(_settings().database_url)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(main())
    typer.echo("database is up to date")


@app.command()
def retry(
    document: Annotated[int | None, typer.Option(help="Only this document id.")] = None,
) -> None:
    """Replay dead letters: the documents go back to the queue (looked up before re-creating)."""
    from sync.operations import retry_dead
    from sync.service import build_service

    async def main() -> list[str]:
        svc = build_service(_settings())
        try:
            return await retry_dead(svc, actor="cli", document_id=document)
        finally:
            await svc.aclose()

    replayed = asyncio.run(main())
    typer.echo(
        f"{len(replayed)} queued again: {', '.join(replayed)}"
        if replayed
        else "no dead letters to replay"
    )


@app.command()
def status() -> None:
    """Counts by state, dead letters, oldest waiting, last success."""
    from sync.operations import status as read_status
    from sync.service import build_service

    async def main() -> None:
        svc = build_service(_settings())
        try:
            s = await read_status(svc)
        finally:
            await svc.aclose()
        for state, count in sorted(s.counts.items()):
            typer.echo(f"{state:>16}  {count}")
        typer.echo(f"{'dead letters':>16}  {s.dead_letters}")
        typer.echo(f"{'oldest waiting':>16}  {s.oldest_waiting or '-'}")
        typer.echo(f"{'last posted':>16}  {s.last_posted or '-'}")
        typer.echo(f"{'worker':>16}  {'paused' if s.paused else 'running'}")
        for qb in s.web_connectors:
            polled = qb.last_poll_at.isoformat() if qb.last_poll_at else "never"
            silent = " SILENT" if qb.stale else ""
            typer.echo(f"{'qbwc ' + qb.name:>16}  last poll {polled}, {qb.pending} waiting{silent}")

    asyncio.run(main())


@app.command()
def pause() -> None:
    """Stop every worker from taking new work (webhooks are still stored and queued)."""
    _set_paused(True)
    typer.echo("paused: nothing will be posted until `costbridge resume`")


@app.command()
def resume() -> None:
    """Let the workers take work again."""
    _set_paused(False)
    typer.echo("resumed")


def _set_paused(paused: bool) -> None:
    from db.migrate import upgrade
    from sync.operations import set_paused
    from sync.service import build_service

    async def main() -> None:
        svc = build_service(_settings())
        try:
            await upgrade(svc.engine)
            await set_paused(svc, paused, actor="cli")
        finally:
            await svc.aclose()

    asyncio.run(main())


@sandbox_app.command("procore")
def sandbox_procore(
    port: Annotated[int, typer.Option()] = 8101,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
) -> None:
    """The Procore emulator (REST, OAuth, webhooks), seeded with the demo company."""
    from sandbox import demo_company as demo
    from sandbox.procore import create_app as procore_app

    _settings()
    world = demo.build_world()
    demo.add_change_orders(world)
    typer.echo(
        f"sandbox Procore on http://{host}:{port}: company {demo.PROCORE_COMPANY_ID}, "
        f"client id {demo.PROCORE_CLIENT_ID}, client secret {demo.PROCORE_CLIENT_SECRET}"
    )
    uvicorn.run(procore_app(world.procore), host=host, port=port, log_config=None)


@sandbox_app.command("qbo")
def sandbox_qbo(
    port: Annotated[int, typer.Option()] = 8102,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
) -> None:
    """The QuickBooks Online emulator, seeded with the demo company."""
    from sandbox import demo_company as demo
    from sandbox.qbo import create_app as qbo_app

    _settings()
    world = demo.build_world()
    typer.echo(
        f"sandbox QuickBooks on http://{host}:{port}: realm {demo.QBO_REALM}, "
        f"client id {demo.QBO_CLIENT_ID}, client secret {demo.QBO_CLIENT_SECRET}, "
        f"refresh token {world.qbo_refresh_token}"
    )
    uvicorn.run(qbo_app(world.qbo), host=host, port=port, log_config=None)
