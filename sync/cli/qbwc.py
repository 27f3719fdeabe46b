"""``costbridge qbwc``: set up a QuickBooks Desktop company file for the Web Connector."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="QuickBooks Desktop through the Web Connector.", no_args_is_help=True)


@app.command("config")
def config(
    target: Annotated[str, typer.Argument(help="Company file name (COSTBRIDGE_QBD_COMPANY).")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where to write the .qwc file.")
    ] = None,
) -> None:
    """Write the .qwc file the office opens in the Web Connector (Add an application)."""
    from db.migrate import upgrade
    from sync.cli.common import cli_settings
    from sync.service import build_service
    from sync.targets.qbd.company import by_name, ensure_configured
    from sync.targets.qbd.qwc import build_qwc

    name = target.removeprefix("qbd:")

    async def main() -> str | None:
        svc = build_service(cli_settings())
        try:
            await upgrade(svc.engine)
            async with svc.sessions() as session, session.begin():
                await ensure_configured(session, svc.settings, now=svc.clock.now())
                company = await by_name(session, name)
                return build_qwc(company, svc.settings) if company else None
        finally:
            await svc.aclose()

    text = asyncio.run(main())
    if text is None:
        typer.echo(
            f"no company file '{name}': set COSTBRIDGE_QBD_COMPANY={name} and "
            "COSTBRIDGE_QBD_PASSWORD (see docs/qbd.md)",
            err=True,
        )
        raise typer.Exit(1)
    path = output or Path(f"costbridge-{name}.qwc")
    path.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {path}: open it in the Web Connector on the QuickBooks PC")


@app.command("status")
def status() -> None:
    """Last poll, open requests and last error per company file."""
    from sync.cli.common import cli_settings
    from sync.service import build_service
    from sync.targets.qbd.health import company_health

    async def main() -> None:
        svc = build_service(cli_settings())
        try:
            async with svc.sessions() as session:
                rows = await company_health(session, svc.settings, now=svc.clock.now())
        finally:
            await svc.aclose()
        if not rows:
            typer.echo("no QuickBooks Desktop company file configured")
        for row in rows:
            polled = row.last_poll_at.isoformat() if row.last_poll_at else "never"
            flag = "  SILENT: check the Web Connector" if row.stale else ""
            typer.echo(f"{row.name}: last poll {polled}, {row.pending} waiting{flag}")
            if row.last_error:
                typer.echo(f"  last error: {row.last_error}")

    asyncio.run(main())
