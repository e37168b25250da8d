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
    """Retrain the role classifier on data/labelled/roles.csv (reproducible for a seed)."""
    from ..embedding import get_encoder
    from ..industry import default_index
    from ..roles.training import train

    with err.status("Training the role classifier"):
        _, report = train(get_encoder(), default_index(), C=c, seed=seed)
    if as_json:
        print_json(report)
    else:
        out.print(f"cv macro-F1 {report['cv_macro_f1']:.3f}, held-out macro-F1 "
                  f"{report['heldout_macro_f1']:.3f}; model and card written to models/")


@eval_app.command("roles")
def eval_roles_cmd(seed: int = 0, as_json: JsonOpt = False) -> None:
    """Role macro-F1 (cross-validated and held-out) and market accuracy on held-out NAICS codes."""
    from ..embedding import get_encoder
    from ..industry import default_index, eval_market_holdout
    from ..roles.training import evaluate, labelled_features

    with err.status("Evaluating"):
        index = default_index()
        X, y, texts = labelled_features(get_encoder(), index)
        figures = {"roles": evaluate(X, texts, y, seed=seed),
                   "market": eval_market_holdout(index, seed=seed)}
    if as_json:
        print_json(figures)
        return
    r, m = figures["roles"], figures["market"]
    out.print(f"roles: cross-validated macro-F1 {r['cv_macro_f1']:.3f}; held-out macro-F1 "
              f"{r['heldout_macro_f1']:.3f} (n={r['heldout_n']}); calibration error {r['cv_ece']:.3f}")
    out.print("market on held-out NAICS codes: " + ", ".join(
        f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in m.items()))
