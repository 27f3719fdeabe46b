"""The ``costbridge`` command line."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from typing import Annotated, Literal

import typer

from sync.cli.common import cli_settings, refused_in_one_line
from sync.cli.links import links_app
from sync.cli.qbwc import app as qbwc_app
from sync.cli.rules import rules_app
from sync.errors import ConfigurationError, CostbridgeError
from sync.extensions import COMMANDS, installed

app = typer.Typer(
    help="costbridge: Procore job costs into QuickBooks, exactly once.", no_args_is_help=True
)
db_app = typer.Typer(help="Database commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(qbwc_app, name="qbwc")
app.add_typer(rules_app, name="rules")
app.add_typer(links_app, name="links")
reference_app = typer.Typer(help="QuickBooks' reference data (accounts, vendors, ...).")
app.add_typer(reference_app, name="reference")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    worker: Annotated[bool, typer.Option(help="Run the worker in this process.")] = True,
    web_workers: Annotated[
        int,
        typer.Option(
            min=0,
            help="Processes of their own serving HTTP, sharing the port; this one then runs "
            "the worker, scheduler and companions. 0: HTTP is served in this process.",
        ),
    ] = 0,
) -> None:
    """Web (webhooks, health) + worker + scheduler in one process (or the web in several)."""
    from sync.runtime import serve as run
    from sync.service import build_service
    from sync.web import create_app
    from sync.web_processes import WebProcessFailed

    try:
        svc = build_service(cli_settings())
    except ConfigurationError as exc:
        typer.echo(f"costbridge serve: {exc}", err=True)
        raise typer.Exit(2) from None
    try:
        web = create_app(svc)
        asyncio.run(run(svc, web, host=host, port=port, worker=worker, web_workers=web_workers))
    except ConfigurationError as exc:  # a setting is missing: say which, no traceback
        asyncio.run(svc.aclose())
        typer.echo(f"costbridge serve: {exc}", err=True)
        raise typer.Exit(2) from None
    except WebProcessFailed as exc:  # its own log lines said why
        typer.echo(f"costbridge serve: {exc}", err=True)
        raise typer.Exit(1) from None


@app.command()
def worker() -> None:
    """Only the worker (run several against PostgreSQL to scale out)."""
    from db.migrate import upgrade
    from sync.engine.scheduler import refresh_references
    from sync.engine.worker import run_forever
    from sync.service import build_service

    async def main() -> None:
        svc = build_service(cli_settings())
        await upgrade(svc.engine)
        await refresh_references(svc)
        try:  # the installed extensions (Slack) came with the service: any worker runs their work
            await run_forever(svc, asyncio.Event())
        finally:
            await svc.aclose()

    asyncio.run(main())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date (serve and demo do this by themselves)."""
    from db.migrate import upgrade
    from db.session import create_engine

    async def main() -> None:
        engine = create_engine(cli_settings().database_url)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(main())
    typer.echo("database is up to date")


@app.command()
def retry(
    document: Annotated[int | None, typer.Option(help="Only this document id.")] = None,
) -> None:
    """Replay dead letters: the documents go back to the queue (looked up before re-creating)."""
    from sync.engine.operations import retry_dead
    from sync.service import build_service

    async def main() -> list[str]:
        svc = build_service(cli_settings())
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
    from sync.engine.operations import status as read_status
    from sync.service import build_service

    async def main() -> None:
        svc = build_service(cli_settings())
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
def requeue(
    document: Annotated[
        str, typer.Argument(help="costbridge document id, Procore id, or procore:<id>.")
    ],
) -> None:
    """Drive one document through the pipeline again (after a fix made outside costbridge)."""
    from sync.engine.requeue import RequeueRefused, requeue_document

    done = refused_in_one_line(
        lambda svc: requeue_document(svc, document, actor="cli"), RequeueRefused
    )
    typer.echo(f"{done.label} (was {done.state}) queued again: a worker takes it next")


@app.command()
def void(
    document: Annotated[
        str, typer.Argument(help="costbridge document id, Procore id, or procore:<id>.")
    ],
) -> None:
    """Void (or delete, where QuickBooks cannot void it) the document posted for a change order."""
    from sync.engine.voids import Voided, VoidRefused, void_document
    from sync.service import Service

    async def work(svc: Service) -> Voided:
        try:
            return await void_document(svc, document, actor="cli")
        except VoidRefused:
            raise
        except CostbridgeError as exc:  # QuickBooks unreachable: nothing recorded, safe to rerun
            raise VoidRefused(f"{exc}; nothing was recorded, run it again") from None

    done = refused_in_one_line(work, VoidRefused)
    if done.done:
        typer.echo(f"{done.label}: {done.target} (${done.total:,.2f}) voided in QuickBooks")
    else:
        typer.echo(
            f"{done.label}: void of {done.target} accepted, outcome to follow ({done.detail})"
        )


class ConflictAnswer(StrEnum):
    overwrite = "overwrite"
    keep = "keep"


@app.command()
def conflict(
    document: Annotated[
        str, typer.Argument(help="costbridge document id, Procore id, or procore:<id>.")
    ],
    answer: Annotated[
        ConflictAnswer,
        typer.Argument(
            help="overwrite: Procore's version replaces what was edited in QuickBooks; "
            "keep: QuickBooks' version stays and costbridge no longer writes this document."
        ),
    ],
) -> None:
    """Answer an edit made in QuickBooks to a document costbridge writes (its message in
    Slack asks the same question)."""
    from sync.engine.conflicts import ConflictRefused, resolve_conflict

    choice: Literal["overwrite", "keep"] = (
        "overwrite" if answer is ConflictAnswer.overwrite else "keep"
    )
    done = refused_in_one_line(
        lambda svc: resolve_conflict(svc, document, choice, actor="cli"), ConflictRefused
    )
    if done.choice == "overwrite":
        typer.echo(f"{done.target}: overwrite with Procore's version; {done.label} syncs again")
    else:
        typer.echo(f"{done.target}: QuickBooks' version kept; costbridge no longer writes it")


@reference_app.command("refresh")
def reference_refresh() -> None:
    """Read the target's accounts, vendors, customers:jobs, items and classes again now."""
    from sync.engine import reference
    from sync.engine.scheduler import refresh_references
    from sync.service import build_service

    async def main() -> dict[str, int] | None:
        svc = build_service(cli_settings())
        try:
            if await refresh_references(svc) is None:
                return None
            async with svc.sessions() as session:
                return await reference.counts(session, svc.target.name)
        finally:
            await svc.aclose()

    counts = asyncio.run(main())
    if counts is None:
        typer.echo("error: the reference data could not be read now; see the log line", err=True)
        raise typer.Exit(1)
    typer.echo(", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing")


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
    from sync.engine.operations import set_paused
    from sync.service import build_service

    async def main() -> None:
        svc = build_service(cli_settings())
        try:
            await upgrade(svc.engine)
            await set_paused(svc, paused, actor="cli")
        finally:
            await svc.aclose()

    asyncio.run(main())


# Commands of the installed extensions (``costbridge demo`` and ``costbridge sandbox`` come
# with the sandbox package): the command line imports none of them by name.
for register in installed(COMMANDS):
    register(app)
