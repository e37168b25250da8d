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


def run_import(path: Path, fmt: str | None, db: str | None = None):
    """Parse, validate, embed and store; returns the ImportReport."""
    from ..importing import read_members

    members = read_members(path, fmt)  # raises before the store is even opened
    with engine_session(db) as engine, progress_bar() as bar:
        task = bar.add_task("Embedding", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return engine.import_members(members, progress=tick)


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV, JSON or JSONL")],
    fmt: Annotated[str | None, typer.Option("--format", help="csv, json or jsonl")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import members (all-or-nothing; upserts by id; embeds only new text)."""
    with guarded(as_json):
        report = run_import(file, fmt)
    if as_json:
        print_json(report.as_dict())
    else:
        out.print(
            f"Imported {file.name}: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged; {report.encoded} new texts embedded."
        )


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
