"""``matcher demo``: the whole product on the sample meetup, end to end."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table

from .app import app, engine_session, guarded, out, state
from .members import run_import

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "members.csv"


@app.command("demo")
def demo_cmd(
    sample: Annotated[Path, typer.Option(help="Members file to demo with.")] = SAMPLE,
) -> None:
    """Import the sample meetup into a fresh database and show what rolecall makes of it."""
    with tempfile.TemporaryDirectory() as tmp:
        db = state.db or str(Path(tmp) / "demo.db")
        with guarded(False):
            report = run_import(sample, None, db)
            out.print(Panel.fit(
                f"[bold]rolecall demo[/]: {sample.name} -> {db}\n"
                f"{report.created} members created, {report.updated} updated, "
                f"{report.encoded} texts embedded",
            ))
            with engine_session(db) as engine:
                show_members(engine)


def show_members(engine) -> None:
    members = engine.store.members()
    declared = Counter(m.role or "(not declared)" for m in members)
    table = Table(title=f"{len(members)} members by declared role")
    table.add_column("declared role")
    table.add_column("members", justify="right")
    for role, n in declared.most_common():
        table.add_row(role, str(n))
    out.print(table)
