"""What every command does first: read the settings, set up logging, build the service."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import typer

from sync.logs import configure_logging
from sync.settings import Settings, get_settings

if TYPE_CHECKING:
    from sync.service import Service

T = TypeVar("T")


def cli_settings() -> Settings:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return settings


def with_service(work: Callable[[Service], Awaitable[T]]) -> T:
    """Build the service from the settings, run ``work`` with it, close it."""
    from sync.service import build_service  # the service is heavy: only commands that need it

    async def main() -> T:
        svc = build_service(cli_settings())
        try:
            return await work(svc)
        finally:
            await svc.aclose()

    return asyncio.run(main())


def refused_in_one_line(work: Callable[[Service], Awaitable[T]], *refusals: type[Exception]) -> T:
    """Run ``work`` with the service; a refusal is one line on stderr and exit 1, never a
    traceback."""
    try:
        return with_service(work)
    except refusals as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
