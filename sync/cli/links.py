"""``costbridge links``: which customer:job a project is, which vendor a vendor is."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from sync.cli.common import refused_in_one_line

if TYPE_CHECKING:  # the engine is imported by the commands that run, not by every start
    from sync.rules.links import Link, Linked, SourceEntity
    from sync.service import Service

T = TypeVar("T")
links_app = typer.Typer(
    help="Links: Procore project ↔ customer:job, Procore vendor ↔ vendor.", no_args_is_help=True
)


class EntityKind(StrEnum):
    PROJECT = "project"
    VENDOR = "vendor"


def _run(work: Callable[[Service], Awaitable[T]]) -> T:
    from sync.rules.links import LinkError

    return refused_in_one_line(work, LinkError)


def _author() -> str:
    return os.environ.get("USER") or "cli"


def _line(link: Link) -> str:
    from sync.rules.links import TARGET_WORDS

    words = TARGET_WORDS.get(link.entity.kind, "record")
    return (
        f"{link.entity.label()} → {words} {link.target_name or link.target_id} "
        f"(id {link.target_id})  by {link.author}, {link.created_at.date().isoformat()}"
    )


@links_app.command("list")
def list_(
    source: Annotated[str, typer.Option(help="The source system.")] = "procore",
) -> None:
    """Every link to the configured target, with who made it."""
    from sync.rules.links import list_links

    links = _run(lambda svc: list_links(svc, source=source))
    for link in links:
        typer.echo(_line(link))
    typer.echo(f"{len(links)} link(s)")


@links_app.command("add")
def add(
    kind: Annotated[EntityKind, typer.Argument(help="project or vendor.")],
    entity: Annotated[str, typer.Argument(help="The Procore id, number or name.")],
    target: Annotated[
        str, typer.Argument(help="The customer:job or vendor in QuickBooks: id, number or name.")
    ],
    source: Annotated[str, typer.Option(help="The source system.")] = "procore",
    author: Annotated[str, typer.Option(help="Who is linking (the audit trail).")] = _author(),
) -> None:
    """Link them, then queue the waiting documents the link helps (they post by themselves)."""

    from sync.rules.links import TARGET_WORDS, add_link

    def work(svc: Service) -> Awaitable[Linked]:
        return add_link(svc, kind.value, entity, target, actor=author, source=source)

    linked = _run(work)
    typer.echo(
        f"linked {linked.entity.label()} → {TARGET_WORDS[kind.value]} {linked.record.name} "
        f"(id {linked.record.id})"
    )
    typer.echo(f"{len(linked.requeued)} waiting document(s) queued again")


@links_app.command("remove")
def remove(
    kind: Annotated[EntityKind, typer.Argument(help="project or vendor.")],
    entity: Annotated[str, typer.Argument(help="The Procore id, number or name.")],
    source: Annotated[str, typer.Option(help="The source system.")] = "procore",
    author: Annotated[str, typer.Option(help="Who is unlinking (the audit trail).")] = _author(),
) -> None:
    """Remove a link (what already posted keeps what it was posted with)."""

    from sync.rules.links import remove_link

    def work(svc: Service) -> Awaitable[SourceEntity]:
        return remove_link(svc, kind.value, entity, actor=author, source=source)

    typer.echo(f"unlinked {_run(work).label()}")


@links_app.command("suggest")
def suggest_(
    source: Annotated[str, typer.Option(help="The source system.")] = "procore",
) -> None:
    """For each project and vendor not linked yet: what it probably is. Nothing is linked:
    confirm one with `costbridge links add`."""
    from sync.rules.links import suggest

    found = _run(lambda svc: suggest(svc, source=source))
    for item in found:
        typer.echo(item.entity.label())
        if not item.candidates:
            typer.echo("    no likely match: link it by id")
        for candidate in item.candidates:
            typer.echo(
                f"    {candidate.record.name} (id {candidate.record.id}): {candidate.reason}"
                f"  → costbridge links add {item.entity.kind} {item.entity.id} "
                f"{candidate.record.id}"
            )
    typer.echo(f"{len(found)} unlinked project(s) and vendor(s)")
