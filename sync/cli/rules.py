"""``costbridge rules ...``: list, add, deactivate, explain, export and import mapping rules.

Every change goes through ``sync.rules.service`` (validated, versioned, audited, waiting
documents re-queued for a running worker). Accounts, items, classes and locations may be given
by id, number or name: they are resolved against the cached reference data.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from mappings.describe import FIELD_LABEL, describe_conditions, describe_value
from mappings.io_csv import export_csv, import_csv
from mappings.io_yaml import export_yaml, import_yaml
from mappings.references import ReferenceIndex
from mappings.resolve import REFERENCE_KIND
from mappings.rule_rows import (
    FileError,
    LocatedSpec,
    ParsedRules,
    RuleSpec,
    spec_from_cells,
)
from mappings.rules import Rule, RuleOrigin
from sync.cli.common import with_service

if TYPE_CHECKING:  # the engine is imported when a command runs: `--help` stays fast
    from sync.rules.service import ImportReport
    from sync.service import Service

rules_app = typer.Typer(
    help="Mapping rules: list, add, deactivate, explain, export, import.", no_args_is_help=True
)


class FileFormat(StrEnum):
    CSV = "csv"
    YAML = "yaml"


def _default_author() -> str:
    return os.environ.get("USER") or "cli"


def _fail(errors: tuple[FileError, ...] | list[FileError], footer: str) -> NoReturn:
    for e in errors:
        typer.echo(f"error: {e}", err=True)
    typer.echo(footer, err=True)
    raise typer.Exit(1)


def _outputs_text(rule: Rule, refs: ReferenceIndex) -> str:
    parts = []
    for field in rule.outputs.fields():
        value = rule.outputs.get(field)
        kind = REFERENCE_KIND.get(field)
        record = refs.get(kind, value) if kind is not None and isinstance(value, str) else None
        parts.append(f"{FIELD_LABEL[field]} {describe_value(field, value, record)}")
    return ", ".join(parts)


def rule_line(rule: Rule, refs: ReferenceIndex) -> str:
    """``#12 v2 active  cost code 03-300 → Account 5010 Labor  (slack, by U1, 2026-11-02)``."""
    state = "active" if rule.active else "inactive"
    priority = f" priority {rule.priority}" if rule.priority is not None else ""
    text = (
        f"#{rule.id} v{rule.version} {state}{priority}  {describe_conditions(rule.conditions)}"
        f" → {_outputs_text(rule, refs)}  ({rule.origin.value}, by {rule.author}, "
        f"{rule.updated_at.date().isoformat()})"
    )
    return f"{text}  {rule.note}" if rule.note else text


@rules_app.command("list")
def list_rules(
    filter: Annotated[
        str | None, typer.Argument(help="Only rules whose listing contains this text.")
    ] = None,
    all: Annotated[bool, typer.Option("--all", help="Include inactive rules.")] = False,
) -> None:
    """The rules in force (with --all, the inactive ones too), most recent version."""
    from sync.engine import reference
    from sync.rules.store import load_rules

    async def work(svc: Service) -> list[str]:
        async with svc.sessions() as session:
            rules = await load_rules(session, include_inactive=all)
            refs = ReferenceIndex(await reference.cached(session, svc.target.name))
        return [rule_line(r, refs) for r in rules]

    lines = with_service(work)
    wanted = filter.casefold() if filter else ""
    shown = [line for line in lines if wanted in line.casefold()]
    for line in shown:
        typer.echo(line)
    typer.echo(f"{len(shown)} rule(s)")


# ``rules add`` options by rule field, so errors can name the option the person typed.
_OPTION_OF = {
    "cost_code": "--cost-code",
    "cost_type": "--cost-type",
    "cost_type_base": "--cost-type-base",
    "project_id": "--project",
    "vendor_id": "--vendor",
    "document_kind": "--document-kind",
    "document_id": "--document",
    "source": "--source",
    "custom_fields": "--custom / --custom-in",
    "account_id": "--account",
    "item_id": "--item",
    "class_id": "--class",
    "department_id": "--location",
    "billable": "--billable / --not-billable",
    "tax_code": "--tax-code",
    "memo": "--memo",
    "outputs": "outputs",
}


def _custom_options(equals: list[str], one_of: list[str]) -> dict[str, str | list[str]]:
    custom: dict[str, str | list[str]] = {}
    for raw, many in [*((e, False) for e in equals), *((o, True) for o in one_of)]:
        name, sep, value = raw.partition("=")
        if not sep:
            raise typer.BadParameter(f"{raw!r}: write NAME=VALUE", param_hint="--custom")
        custom[name.strip()] = [v.strip() for v in value.split(",")] if many else value
    return custom


@rules_app.command("add")
def add(
    cost_code: Annotated[str | None, typer.Option(help="03-300, 03-* or a glob.")] = None,
    cost_type: Annotated[str | None, typer.Option(help="Cost type name, e.g. Labor.")] = None,
    cost_type_base: Annotated[
        str | None, typer.Option(help="labor, materials, equipment, commitment, ...")
    ] = None,
    project: Annotated[str | None, typer.Option(help="Procore project id.")] = None,
    vendor: Annotated[str | None, typer.Option(help="Procore vendor id.")] = None,
    document_kind: Annotated[
        str | None, typer.Option(help="commitment_change_order or prime_change_order.")
    ] = None,
    document: Annotated[str | None, typer.Option(help="One Procore document id.")] = None,
    source: Annotated[str | None, typer.Option(help="Source system, e.g. procore.")] = None,
    custom: Annotated[
        list[str] | None, typer.Option(help="Custom field NAME=VALUE (repeatable).")
    ] = None,
    custom_in: Annotated[
        list[str] | None, typer.Option(help="Custom field NAME=V1,V2: one of (repeatable).")
    ] = None,
    account: Annotated[str | None, typer.Option(help="GL account: id, number or name.")] = None,
    item: Annotated[str | None, typer.Option(help="Item: id or name.")] = None,
    klass: Annotated[str | None, typer.Option("--class", help="Class: id or name.")] = None,
    location: Annotated[str | None, typer.Option(help="Location: id or name.")] = None,
    billable: Annotated[bool | None, typer.Option("--billable/--not-billable")] = None,
    tax_code: Annotated[str | None, typer.Option(help="Tax code.")] = None,
    memo: Annotated[str | None, typer.Option(help="Memo template, e.g. '{cost_code} …'.")] = None,
    priority: Annotated[int | None, typer.Option(help="Beats any specificity.")] = None,
    note: Annotated[str, typer.Option(help="Why the rule exists.")] = "",
    author: Annotated[str, typer.Option(help="Who is adding it.")] = _default_author(),
) -> None:
    """Add a rule (accounts by id, number or name, checked against QuickBooks' data)."""
    cells = {
        "cost_code": cost_code,
        "cost_type": cost_type,
        "cost_type_base": cost_type_base,
        "project_id": project,
        "vendor_id": vendor,
        "document_kind": document_kind,
        "document_id": document,
        "source": source,
        "account_id": account,
        "item_id": item,
        "class_id": klass,
        "department_id": location,
        "billable": None if billable is None else str(billable),
        "tax_code": tax_code,
        "memo": memo,
        "priority": None if priority is None else str(priority),
        "author": author,
        "origin": RuleOrigin.CLI.value,
        "note": note,
    }
    plain = _custom_options(custom or [], custom_in or [])
    spec, errors = spec_from_cells(cells, "rules add", custom=plain)
    if spec is None:
        named = [
            FileError("rules add", _OPTION_OF.get(e.field, e.field), e.message) for e in errors
        ]
        _fail(named, "nothing added")
    report = _import(ParsedRules(rules=(LocatedSpec("rules add", spec),)), author, replace=False)
    named = [
        FileError("rules add", _OPTION_OF.get(e.field, e.field), e.message) for e in report.errors
    ]
    if named:
        _fail(named, "nothing added")
    if report.diff.unchanged:
        typer.echo(f"rule #{report.diff.unchanged[0]} already says exactly this: nothing added")
        return
    (saved,) = report.saved
    typer.echo(f"added rule #{saved.id}: {describe_conditions(saved.conditions)}")
    typer.echo(f"{report.requeued} waiting document(s) queued again")


@rules_app.command("deactivate")
def deactivate(
    rule_id: Annotated[int, typer.Argument(help="The rule's id (see `rules list`).")],
    author: Annotated[str, typer.Option(help="Who is deactivating it.")] = _default_author(),
) -> None:
    """Deactivate a rule (a new version; its history stays)."""
    from sync.rules.service import deactivate_rule

    async def work(svc: Service) -> tuple[Rule, int] | str:
        async with svc.sessions() as session, session.begin():
            try:
                return await deactivate_rule(session, rule_id, actor=author, now=svc.clock.now())
            except LookupError as exc:
                return str(exc)

    result = with_service(work)
    if isinstance(result, str):
        typer.echo(f"error: {result}", err=True)
        raise typer.Exit(1)
    rule, requeued = result
    typer.echo(f"rule #{rule.id} is inactive (version {rule.version})")
    typer.echo(f"{requeued} waiting document(s) queued again")


@rules_app.command("explain")
def explain(
    document: Annotated[
        str, typer.Argument(help="costbridge document id, Procore id, or procore:<id>.")
    ],
    line: Annotated[int | None, typer.Option(help="Only this line (its position).")] = None,
    fetch: Annotated[
        bool, typer.Option(help="If the payload was purged, read the document from Procore.")
    ] = False,
) -> None:
    """Why each line maps the way it does: the winning rule per output, and the others."""
    from sync.rules.explain import Explained, ExplainError, explain_document

    async def work(svc: Service) -> Explained | str:
        try:
            return await explain_document(svc, document, line=line, fetch=fetch)
        except ExplainError as exc:
            return str(exc)

    result = with_service(work)
    if isinstance(result, str):
        typer.echo(f"error: {result}", err=True)
        raise typer.Exit(1)
    typer.echo(result.header)
    for reason in result.document_reasons:
        typer.echo(reason)
    for text in result.lines:
        typer.echo(text)


def _format_for(path: str | None, given: FileFormat | None) -> FileFormat:
    if given is not None:
        return given
    if path and Path(path).suffix.lower() in {".yaml", ".yml"}:
        return FileFormat.YAML
    return FileFormat.CSV


@rules_app.command("export")
def export(
    file: Annotated[str, typer.Argument(help="Where to write; - for standard output.")] = "-",
    format: Annotated[
        FileFormat | None, typer.Option(help="csv or yaml (default: from the file name, csv).")
    ] = None,
    active_only: Annotated[bool, typer.Option(help="Leave inactive rules out.")] = False,
) -> None:
    """Write every rule, one row/item each, with ids: edit it and import it back."""
    from sync.rules.store import load_rules

    async def work(svc: Service) -> list[Rule]:
        async with svc.sessions() as session:
            return await load_rules(session, include_inactive=not active_only)

    rules = with_service(work)
    specs = [RuleSpec.of(r) for r in rules]
    fmt = _format_for(file, format)
    text = export_csv(specs) if fmt is FileFormat.CSV else export_yaml(specs)
    if file == "-":
        sys.stdout.write(text)
        return
    # newline="": the CSV writer's \r\n and newlines inside quoted cells stay as written.
    Path(file).write_text(text, encoding="utf-8", newline="")
    typer.echo(f"{len(specs)} rule(s) written to {file}", err=True)


def _import(
    parsed: ParsedRules,
    actor: str,
    *,
    replace: bool,
    dry_run: bool = False,
    origin: RuleOrigin = RuleOrigin.CLI,
) -> ImportReport:
    from sync.rules.service import import_rules

    async def work(svc: Service) -> ImportReport:
        async with svc.sessions() as session, session.begin():
            return await import_rules(
                session,
                parsed.rules,
                settings=svc.settings,
                target=svc.target,
                actor=actor,
                origin=origin,
                now=svc.clock.now(),
                replace=replace,
                dry_run=dry_run,
            )

    return with_service(work)


@rules_app.command("import")
def import_(
    file: Annotated[str, typer.Argument(help="A CSV or YAML rules file; - for standard input.")],
    dry_run: Annotated[bool, typer.Option(help="Only report what would change.")] = False,
    replace: Annotated[
        bool, typer.Option(help="Deactivate active rules the file does not mention.")
    ] = False,
    format: Annotated[
        FileFormat | None, typer.Option(help="csv or yaml (default: from the file name, csv).")
    ] = None,
    author: Annotated[str, typer.Option(help="Who is importing (the audit trail).")] = (
        _default_author()
    ),
) -> None:
    """Add and update rules from a file, all or nothing; --dry-run shows the effect first."""
    from sync.rules.report import render_import

    fmt = _format_for(file, format)
    # utf-8-sig: spreadsheets often save CSV with a byte-order mark.
    text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8-sig")
    parsed = import_csv(text) if fmt is FileFormat.CSV else import_yaml(text)
    origin = RuleOrigin.CSV if fmt is FileFormat.CSV else RuleOrigin.YAML
    # A file with errors is only checked further (targets, ids), so every error shows at once.
    report = _import(
        parsed, author, replace=replace, dry_run=dry_run or not parsed.ok, origin=origin
    )
    if parsed.errors or report.errors:
        _fail(parsed.errors + report.errors, "nothing changed")
    typer.echo(render_import(report, dry_run=dry_run, replace=replace))
