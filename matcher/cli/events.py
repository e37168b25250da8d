"""``matcher event create|lock|forbid|force`` and ``matcher pairings``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .app import JsonOpt, app, engine_session, err, guarded, out, print_json
from .roles import EventOpt

event_app = typer.Typer(help="Create events and set the host's pairing rules.",
                        no_args_is_help=True)
app.add_typer(event_app, name="event")


def read_attendees(path: Path) -> list[str]:
    """Member ids from a CSV with an ``id`` or ``member_id`` column, or one id per line."""
    text = path.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0] if text.strip() else ""
    if "," in first or first.strip() in ("id", "member_id"):
        rows = list(csv.DictReader(io.StringIO(text)))
        col = "member_id" if rows and "member_id" in rows[0] else "id"
        if not rows or col not in rows[0]:
            raise ValueError(f"{path}: expected an 'id' or 'member_id' column")
        return [r[col].strip() for r in rows if r[col].strip()]
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


@event_app.command("create")
def create_cmd(
    name: str,
    attendees: Annotated[Path | None, typer.Option("--attendees", exists=True,
                                                   help="CSV or list of member ids")] = None,
    all_members: Annotated[bool, typer.Option("--all", help="Every member attends.")] = False,
    rounds: Annotated[int, typer.Option("--rounds", min=1, max=20)] = 3,
    table_size: Annotated[int, typer.Option("--table-size", min=2, max=12)] = 2,
    date: Annotated[str | None, typer.Option(help="e.g. 2026-11-30")] = None,
    start: Annotated[str | None, typer.Option(help="First round, e.g. 2026-11-30T18:30")] = None,
    minutes: Annotated[int, typer.Option(help="Minutes per round.")] = 15,
    as_json: JsonOpt = False,
) -> None:
    """Create an event with its attendees, rounds and format (1:1 or tables of N)."""
    with guarded(as_json), engine_session() as engine:
        if attendees is None and not all_members:
            raise ValueError("give --attendees FILE or --all")
        ids = read_attendees(attendees) if attendees else [m.id for m in engine.store.members()]
        settings = {"start": start, "minutes": minutes} if start else {}
        ev = engine.store.create_event(name, date=date, rounds=rounds, table_size=table_size,
                                       attendees=ids, settings=settings)
    doc = {"name": ev.name, "date": ev.date, "rounds": ev.rounds, "table_size": ev.table_size,
           "attendees": len(ids)}
    print_json(doc) if as_json else out.print(
        f"Event {name!r}: {len(ids)} attendees, {rounds} rounds, "
        f"{'1:1' if table_size == 2 else f'tables of {table_size}'}")


def _rule(rule: str, event: str, members: list[str], round_index: int, as_json: bool) -> None:
    with guarded(as_json), engine_session() as engine:
        settings = engine.host_rule(event, rule, members, round_index=round_index)
    keys = ("locked", "forced", "forbidden")
    print_json({k: settings.get(k, []) for k in keys}) if as_json else out.print(
        f"{rule}: {' + '.join(members)} (kept on every re-run)")


@event_app.command("lock")
def lock_cmd(event: str, members: list[str], round: Annotated[int, typer.Option(min=1)] = 1,
             as_json: JsonOpt = False) -> None:
    """Keep these members together in round ROUND on every re-run."""
    _rule("lock", event, members, round - 1, as_json)


@event_app.command("forbid")
def forbid_cmd(event: str, a: str, b: str, as_json: JsonOpt = False) -> None:
    """Never seat A and B together."""
    _rule("forbid", event, [a, b], 0, as_json)


@event_app.command("force")
def force_cmd(event: str, a: str, b: str, as_json: JsonOpt = False) -> None:
    """Make sure A and B meet."""
    _rule("force", event, [a, b], 0, as_json)


@app.command("pairings")
def pairings_cmd(
    event: EventOpt = None,
    rounds: Annotated[int | None, typer.Option("--rounds", min=1, max=20)] = None,
    table_size: Annotated[int | None, typer.Option("--table-size", min=2, max=12)] = None,
    seed: int = 0,
    allow_competitors: Annotated[bool, typer.Option(help="Let pure competitors meet.")] = False,
    lookback_days: Annotated[int, typer.Option(
        help="Avoid pairs that met within this many days (history).")] = 365,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Write the host's CSV.")] = None,
    html_file: Annotated[Path | None, typer.Option("--html", help="Write the printable page.")] = None,
    ics_dir: Annotated[Path | None, typer.Option("--ics-dir", help="One .ics per attendee.")] = None,
    hold: Annotated[bool, typer.Option(help="Record these meetings as held (history).")] = False,
    compare_with: Annotated[Path | None, typer.Option(
        "--compare", exists=True, help="A previous --json output to compare against.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Pairing lists: rounds of 1:1s or tables, fair and constrained. Without --event, all members."""
    from ..pairing.export import to_csv, to_html, to_ics, to_json

    with guarded(as_json), engine_session() as engine:
        with err.status("Scoring pairs and seating rounds"):
            run = engine.pairings(event, rounds=rounds, table_size=table_size, seed=seed,
                                  allow_competitors=allow_competitors,
                                  lookback_days=lookback_days)
        if hold:
            engine.hold(run)
        if event:
            engine.save_run(run)  # the API and web pages read the event's newest schedule
    doc = to_json(run.schedule, **run.export_kwargs())
    if compare_with:
        doc["compare"] = compare_docs(json.loads(compare_with.read_text()), doc)
    if csv_file:
        csv_file.write_text(to_csv(run.schedule, **run.export_kwargs()))
    if html_file:
        html_file.write_text(to_html(run.schedule, **run.export_kwargs()))
    if ics_dir and run.round_times:
        write_calendars(ics_dir, run, to_ics)
    if as_json:
        print_json(doc)
    else:
        show_pairings(doc)


def write_calendars(directory: Path, run, to_ics) -> list[Path]:
    """One .ics per attendee in ``directory``, named by :func:`ics_filename` (never a path
    outside ``directory``, whatever the member id)."""
    from ..pairing.export import ics_filename

    directory.mkdir(parents=True, exist_ok=True)
    root = directory.resolve()
    written = []
    for i, member_id in enumerate(run.ids):
        path = root / ics_filename(member_id)
        if path.parent != root:  # cannot happen with ics_filename; kept as the last guard
            raise ValueError(f"refusing to write a calendar outside {directory}: {member_id!r}")
        path.write_bytes(to_ics(run.schedule, member=i, **run.export_kwargs()))
        written.append(path)
    return written


def compare_docs(old: dict, new: dict) -> dict:
    """Metrics side by side and the pairs that changed between two --json outputs."""
    def pairs(doc):
        return {(r, tuple(sorted(t["members"]))) for r, rnd in enumerate(doc["rounds"])
                for t in rnd}
    a, b = pairs(old), pairs(new)
    keys = ("total_score", "mean_score", "min_best", "gini", "repeats")
    return {"metrics": {k: [old["metrics"].get(k), new["metrics"].get(k)] for k in keys},
            "added": sorted([r + 1, list(m)] for r, m in b - a),
            "removed": sorted([r + 1, list(m)] for r, m in a - b)}


def show_pairings(doc: dict) -> None:
    for r, rnd in enumerate(doc["rounds"], 1):
        table = Table(title=f"Round {r}", show_lines=False)
        for col in ("table", "who", "score", "why"):
            table.add_column(col, overflow="fold")
        for t in rnd:
            table.add_row(str(t["table"]), " + ".join(t.get("names") or t["members"]),
                          f"{t['score']:.2f}", (t["reasons"] or [""])[0])
        out.print(table)
    m = doc["metrics"]
    out.print(f"total {m.get('total_score', 0):.2f}, mean {m.get('mean_score', 0):.2f}, "
              f"worst-off attendee's best {m.get('min_best', 0):.2f}, repeats {m.get('repeats')}, "
              f"competitor pairs {m.get('forbidden_violations', 0)}")
