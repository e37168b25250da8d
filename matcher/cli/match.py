"""``matcher recommend``, ``explain``, ``helpable``, ``introductions`` and ``eval pairs``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from .app import JsonOpt, app, engine_session, err, guarded, out, print_json
from .roles import EventOpt, eval_app

MemberArg = Annotated[str, typer.Argument(help="Member id.")]


@app.command("recommend")
def recommend_cmd(
    member_id: MemberArg,
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="How many.")] = 10,
    event: EventOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Who MEMBER_ID should meet, with the relation and the reasons."""
    with guarded(as_json), engine_session() as engine:
        rows = engine.recommend(member_id, k, event=event)
        me = engine.store.member(member_id)
    if as_json:
        print_json(rows)
        return
    show_recommendations(me.name, rows)


def show_recommendations(name: str, rows: list[dict]) -> None:
    table = Table(title=f"Who {name} should meet", show_lines=True)
    for col in ("#", "member", "score", "relation", "why"):
        table.add_column(col, overflow="fold")
    for n, r in enumerate(rows, 1):
        table.add_row(str(n), r["name"], f"{r['score']:.2f}", r["relation"], "\n".join(r["reasons"]))
    out.print(table)


@app.command("explain")
def explain_cmd(a: MemberArg, b: MemberArg, event: EventOpt = None, as_json: JsonOpt = False) -> None:
    """Relation, score, components and reasons for the pair A, B."""
    with guarded(as_json), engine_session() as engine:
        row = engine.explain(a, b, event=event)
    if as_json:
        print_json({k: row[k] for k in ("member_id", "name", "relation", "score", "components",
                                         "reasons", "same_company", "already_met")})
        return
    out.print(f"[bold]{a} -> {b} ({row['name']})[/]: {row['relation']}, score {row['score']:.3f}")
    for key, value in row["components"].items():
        out.print(f"  {key:14} {value}")
    for reason in row["reasons"]:
        out.print(f"  - {reason}")


@app.command("helpable")
def helpable_cmd(member_id: MemberArg, k: Annotated[int, typer.Option("-k", min=1)] = 10,
                 as_json: JsonOpt = False) -> None:
    """Members whose seeks match what MEMBER_ID offers."""
    with guarded(as_json), engine_session() as engine:
        rows = engine.helpable(member_id, k)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        out.print(f"{r['name']} ({r['score']:.2f}): {r['reasons'][0]}")
    if not rows:
        out.print("Nobody's seeks match your offers yet: add concrete offers to your profile.")


@app.command("introductions")
def introductions_cmd(member_id: MemberArg, k: Annotated[int, typer.Option("-k", min=1)] = 10,
                      as_json: JsonOpt = False) -> None:
    """Pairs of people MEMBER_ID has met who should meet each other."""
    with guarded(as_json), engine_session() as engine:
        rows = engine.introductions(member_id, k)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        out.print(f"- {r['pitch']}")
    if not rows:
        out.print("No introductions yet: they come from the people you have met (meeting history).")


@eval_app.command("pairs")
def eval_pairs_cmd(as_json: JsonOpt = False) -> None:
    """Precision and recall per relation on the labelled pairs (calibrated and cross-validated)."""
    from ..embedding import get_encoder
    from ..pair_calibration import evaluate_pairs

    with err.status("Scoring labelled pairs"):
        figures = evaluate_pairs(get_encoder())
    if as_json:
        print_json(figures)
        return
    for name in ("calibrated", "cross_validated"):
        table = Table(title=f"labelled pairs ({name}): macro-F1 {figures[name]['macro_f1']:.3f}")
        for col in ("relation", "precision", "recall", "f1", "n"):
            table.add_column(col)
        for rel, m in figures[name]["per_relation"].items():
            table.add_row(rel, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}",
                          str(m["n"]))
        out.print(table)
