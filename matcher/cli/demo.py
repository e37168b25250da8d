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
DEMO_MEMBERS = ("m02", "m13", "m04")  # a dentist, a startup COO, a job-seeking engineer


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
                show_role_report(engine, Path(tmp) / "report")
                show_recommendations_for(engine, DEMO_MEMBERS)
                show_demo_pairings(engine)


def show_members(engine) -> None:
    members = engine.store.members()
    declared = Counter(m.role or "(not declared)" for m in members)
    table = Table(title=f"{len(members)} members by declared role")
    table.add_column("declared role")
    table.add_column("members", justify="right")
    for role, n in declared.most_common():
        table.add_row(role, str(n))
    out.print(table)


def show_role_report(engine, out_dir: Path) -> None:
    from ..report import render_charts, role_report
    from .roles import show_report

    insights = engine.insights()
    report = role_report(insights, engine.taxonomy())
    render_charts(report, insights, engine.taxonomy(), out_dir)
    show_report(report)


def show_recommendations_for(engine, member_ids) -> None:
    from .match import show_recommendations

    known = {m.id: m for m in engine.store.members()}
    for member_id in member_ids:
        if member_id in known:
            show_recommendations(known[member_id].name, engine.recommend(member_id, 3))


def show_demo_pairings(engine) -> None:
    from ..pairing.export import to_json
    from .events import show_pairings

    out.print(Panel.fit("[bold]Pairing list[/]: 3 rounds of 1:1s for everyone"))
    run = engine.pairings(None, rounds=3, table_size=2, seed=0)
    show_pairings(to_json(run.schedule, **run.export_kwargs()))
