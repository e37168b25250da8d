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
    """Pair scoring on the held-out labelled data: the model against plain seek->offer cosine
    and the reciprocal harmonic mean of cosines (top-5 hit, decoy above, relation macro-F1,
    reason precision), and the model's grouped cross-validation."""
    import json

    from ..pairs.model import MODEL_FILE
    from ..pairs.quality import evaluate

    with err.status("Scoring held-out pairs"):
        figures = evaluate()
    doc = json.loads(MODEL_FILE.read_text())
    figures["grouped_cv"] = {k: doc[k] for k in ("grouped_cv", "competitor_threshold",
                                                   "competitor_cv_precision",
                                                   "competitor_cv_recall", "date")}
    if as_json:
        print_json(figures)
        return
    show_quality(figures)


def show_quality(figures: dict) -> None:
    titles = {"need_offer_heldout": "hand-written need-offer set, held-out seeks",
              "generated_test": "generated need-answer pairs (BEA/NAICS/O*NET), test groups",
              "pairs_heldout": "labelled member pairs, held-out profiles (round 3a)",
              "pairs_heldout2": "labelled member pairs, fresh held-out profiles (round 5)"}
    for key, title in titles.items():
        part = figures[key]
        table = Table(title=title)
        for col in ("method", "top-5 hit", "decoy above", "relation macro-F1",
                    "reason precision", "claims", "seekers"):
            table.add_column(col)
        for name in ("model", "cosine", "harmonic"):
            f = part[name]
            f1 = part["relations"]["macro_f1"] if name == "model" and "relations" in part else None
            table.add_row(name, _fmt(f["top5_hit"]), _fmt(f["decoys_above"]), _fmt(f1),
                          _fmt(f.get("reason_precision")), str(f.get("n_claims", "")),
                          str(f["n_seekers"]))
        out.print(table)
    out.print(f"claim threshold: cosine >= {figures['claim_cosine']}")
    cv = figures.get("grouped_cv")
    if cv:
        out.print(f"grouped CV ({cv['date']}): macro-F1 {cv['grouped_cv']['macro_f1']:.3f}; "
                  f"competitor threshold {cv['competitor_threshold']}, precision "
                  f"{cv['competitor_cv_precision']:.3f}, recall {cv['competitor_cv_recall']:.3f}")


def _fmt(v) -> str:
    return "-" if v is None else f"{v:.3f}"
