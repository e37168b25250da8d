"""``matcher import`` and ``matcher members``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from .app import JsonOpt, app, engine_session, err, guarded, out, print_json


def progress_bar():
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=err, transient=True,
    )


def run_import(path: Path, fmt: str | None, db: str | None = None, *,
               mapping: list[str] = (), event: str | None = None, dry_run: bool = False):
    """Read, match columns, validate against the stored members, embed and store; returns
    the ImportReport. With ``event``, the event is created when missing (not on a dry run)."""
    from ..errors import NotFound
    from ..importing import parse_map, read_file

    explicit = parse_map(mapping)
    with engine_session(db) as engine:
        try:
            saved = engine.saved_mapping(event)
        except NotFound:
            saved = {}
        parsed = read_file(path, fmt, mapping=explicit, saved=saved)
        if dry_run:
            return engine.import_file(parsed, dry_run=True)
        with progress_bar() as bar:
            task = bar.add_task("Embedding", total=None)

            def tick(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            return engine.import_file(parsed, event=event, create_event=True, progress=tick)


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                         help="CSV/TSV, Excel .xlsx, JSON or JSONL")],
    fmt: Annotated[str | None, typer.Option("--format", help="csv, xlsx, json or jsonl")] = None,
    mapping: Annotated[list[str], typer.Option(
        "--map", help='Column to field, e.g. --map "What does your business do?=specialty" '
        "(a field, first_name, last_name, or - to leave the column aside). Repeatable.")] = [],  # noqa: B006
    event: Annotated[str | None, typer.Option(
        "--event", help="Make the rows attendees of EVENT (created if missing) and remember "
        "the --map options for its next import.")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show what would be created and updated; write nothing.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import members (all-or-nothing; upserts by id; columns a file leaves out keep their
    stored values; embeds only new text). Files without ids get ids from the email (or name
    and company), stable across re-imports."""
    with guarded(as_json):
        report = run_import(file, fmt, mapping=mapping, event=event, dry_run=dry_run)
    if as_json:
        print_json(report.as_dict())
        return
    show_report(file.name, report)
    if event and not dry_run:
        out.print(f"Everyone in the file is now an attendee of {event!r}.", highlight=False)


def show_report(name: str, report) -> None:
    info = report.file
    verb = "Would import" if report.dry_run else "Imported"
    out.print(f"{verb} {name}: {report.created} created, {report.updated} updated, "
              f"{report.unchanged} unchanged; {report.encoded} new texts "
              f"{'to embed' if report.dry_run else 'embedded'}.", highlight=False)
    if info.get("columns"):
        table = Table(title="Columns")
        table.add_column("column in the file")
        table.add_column("field")
        for col, target in info["columns"].items():
            table.add_row(col, target)
        for col in info.get("unknown_columns", []):
            table.add_row(col, "[dim]kept aside[/]")
        out.print(table)
    for member_id, fields in report.changes.items():
        out.print(f"  updated {member_id}: {', '.join(fields)}", highlight=False)
    if report.dry_run:
        out.print("Nothing was written (dry run).")


@app.command("members")
def members_cmd(
    private: Annotated[bool, typer.Option("--private", help="Include email, phone, notes.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List members (public fields unless --private)."""
    with guarded(as_json), engine_session() as engine:
        members = engine.store.members()
    rows = [m.model_dump() if private else m.public() for m in members]
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"{len(rows)} members")
    for col in ("id", "name", "role", "headline", "location"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["id"], r["name"], r["role"] or "-", r["headline"], r["location"])
    out.print(table)
