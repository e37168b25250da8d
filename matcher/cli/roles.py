"""``matcher roles``, ``matcher report``, ``matcher train-roles`` and ``matcher eval roles``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .app import JsonOpt, app, engine_session, err, guarded, out, print_json

EventOpt = Annotated[str | None, typer.Option("--event", help="Only this event's attendees.")]
eval_app = typer.Typer(help="Evaluate the learned parts on labelled data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


@app.command("roles")
def roles_cmd(event: EventOpt = None, as_json: JsonOpt = False) -> None:
    """Each member's meetup role (declared or inferred), industry, market and specificity."""
    with guarded(as_json), engine_session() as engine:
        rows = engine.insights(event)
    if as_json:
        print_json(rows)
        return
    show_roles(rows)


def show_roles(rows: list[dict]) -> None:
    table = Table(title="Meetup roles", show_lines=False)
    for col in ("member", "role", "conf.", "industry", "market", "specific", "note"):
        table.add_column(col, overflow="fold")
    for r in rows:
        role = r["role"] if r["declared_role"] else f"{r['role']} (inferred)"
        note = r["mismatch"] and "role disputed" or (r["question"] if r["ambiguous"] else "")
        table.add_row(r["name"], role, f"{r['confidence']:.2f}", r["naics"]["title"],
                      r["market"], f"{r['specificity']:.2f}", note or "")
    out.print(table)


@app.command("report")
def report_cmd(
    event: EventOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Write JSON and charts here.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The role-clarity report: counts, unclear and disputed roles, vague specialties, charts."""
    from ..report import render_charts, role_report

    with guarded(as_json), engine_session() as engine:
        insights = engine.insights(event)
        taxonomy = engine.taxonomy(event)
    report = role_report(insights, taxonomy)
    if out_dir:
        import json

        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
        report["charts"] = [str(p) for p in render_charts(report, insights, taxonomy, out_dir)]
    if as_json:
        print_json(report)
    else:
        show_report(report)


def show_report(report: dict) -> None:
    counts = report["role_counts"]
    table = Table(title=f"Role clarity: {report['members']} members")
    for col in ("role", "declared", "inferred", "used"):
        table.add_column(col, justify="right" if col != "role" else "left")
    for role in counts["used"]:
        table.add_row(role, str(counts["declared"][role]), str(counts["inferred"][role]),
                      str(counts["used"][role]))
    out.print(table)
    for m in report["mismatched"]:
        out.print(f"[yellow]Disputed[/] {m['name']}: {m['message']}")
    for m in report["unclear"]:
        out.print(f"[cyan]Unclear[/] {m['name']}: ask \"{m['question']}\"")
    out.print("[bold]Least specific:[/] " + ", ".join(
        f"{m['name']} ({m['specificity']:.2f})" for m in report["lowest_specificity"]))
    top = report["complementary_role_pairs"][0]
    out.print(f"[bold]Most complementary potential:[/] {top['roles'][0]} x {top['roles'][1]} "
              f"({top['pairs']} pairs): {top['reason']}")
    for path in report.get("charts", []):
        if path.endswith(".png"):
            out.print(f"chart: {path}")


@app.command("train-roles")
def train_roles_cmd(
    c: Annotated[float, typer.Option("--C", help="Inverse regularisation.")] = 10.0,
    seed: int = 0,
    as_json: JsonOpt = False,
) -> None:
    """Retrain the market model and the role classifier (generated + hand-written rows)."""
    from ..embedding import get_encoder
    from ..industry import default_index
    from ..occupations import default_occupations
    from ..roles.training import train

    with err.status("Training the market model and the role classifier"):
        _, report = train(get_encoder(), default_index(), default_occupations(), C=c, seed=seed)
    if as_json:
        print_json(report)
    else:
        h = report["heldout"]["overall"]
        out.print(f"held-out role accuracy {h['role_accuracy']:.3f}, market accuracy "
                  f"{h['market_accuracy']:.3f}; models and card written to models/")


@eval_app.command("roles")
def eval_roles_cmd(
    heldout: Annotated[list[Path] | None, typer.Option(
        "--heldout", help="Evaluate this labelled file instead (repeatable; columns of "
        "roles_heldout.csv). Default: both held-out sets.")] = None,
    seed: int = 0,
    as_json: JsonOpt = False,
) -> None:
    """Roles and markets on the held-out sets (unseen texts; whole occupations unseen in the
    first), per register, against the nearest-NAICS-phrase baseline in the same run. The default
    run is also written to benchmarks/results/roles_quality.json."""
    import json
    from datetime import UTC, datetime

    from ..embedding import get_encoder
    from ..industry import default_index, eval_market_holdout
    from ..occupations import default_occupations
    from ..roles.training import HELDOUT, HELDOUT2, evaluate_heldout

    paths = heldout or [HELDOUT, HELDOUT2]
    for path in paths:
        if not path.is_file():
            err.print(f"[red]no such held-out file: {path}[/]")
            raise typer.Exit(2)
    with err.status("Evaluating on the held-out sets"):
        index, encoder, occupations = default_index(), get_encoder(), default_occupations()
        figures = {_key(p): evaluate_heldout(encoder, index, occupations, path=p) for p in paths}
        if not heldout:
            figures["naics_code_holdout"] = eval_market_holdout(index, seed=seed)
    results = Path(__file__).resolve().parents[2] / "benchmarks" / "results"
    if results.is_dir() and not heldout:
        path = results / "roles_quality.json"
        old = json.loads(path.read_text()) if path.is_file() else {}
        doc = {"benchmark": "roles_quality", "date": datetime.now(UTC).isoformat(timespec="seconds"),
               "command": "matcher eval roles", "figures": figures,
               **{k: v for k, v in old.items() if k.startswith("before")}}
        path.write_text(json.dumps(doc, indent=2) + "\n")
    if as_json:
        print_json(figures)
        return
    for key, h in figures.items():
        if key != "naics_code_holdout":
            show_eval(h, key)


def _key(path: Path) -> str:
    """'roles_heldout2.csv' -> 'heldout2' (the key in roles_quality.json)."""
    return path.stem.removeprefix("roles_")


def show_eval(h: dict, name: str = "heldout") -> None:
    table = Table(title=f"{name}: roles and markets ({h['n']} rows)")
    for col in ("register", "n", "role acc.", "role macro-F1", "baseline role acc.",
                "market acc.", "baseline market acc."):
        table.add_column(col, justify="left" if col == "register" else "right")

    def fmt(v):
        return "-" if v is None else f"{v:.3f}"

    for name, b in [("all", h["overall"]), *h["per_register"].items()]:
        table.add_row(name, str(b["n"]), fmt(b["role_accuracy"]), fmt(b["role_macro_f1"]),
                      fmt(b["baseline_role_accuracy"]), fmt(b["market_accuracy"]),
                      fmt(b["baseline_market_accuracy"]))
    out.print(table)
    cp = h["consumer_professionals"]
    out.print(f"consumer-facing professionals read as non-b2b-rep: {cp['read_as_non_b2b_rep']:.3f} "
              f"(baseline {cp['baseline']:.3f}, n={cp['n']})")
    out.print(f"calibration: ECE {h['ece']:.3f}, mean top probability {h['mean_confidence']:.3f}; "
              f"occupation (SOC) exact {h['occupation_soc_accuracy']:.3f}")
    out.print(f"baseline: {h['baseline_name']}")
