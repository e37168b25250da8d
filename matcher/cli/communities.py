"""``matcher eval communities``: the outside-style communities and their answer keys."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .app import JsonOpt, err, guarded, out, print_json
from .roles import eval_app


@eval_app.command("communities")
def eval_communities_cmd(
    community: Annotated[list[str] | None, typer.Option(
        "--community", "-c", help="Evaluate only this community (repeatable).")] = None,
    root: Annotated[Path | None, typer.Option(
        "--dir", help="Folder of community folders [data/labelled/communities].")] = None,
    heldout: Annotated[bool, typer.Option(
        "--heldout", help="The held-out set 2 (data/labelled/communities_heldout).")] = False,
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="Length of each top list.")] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Five communities in outside styles (directory, Meetup, LinkedIn, Eventbrite, Slack)
    with hand-written answer keys: the product's top-k against plain cosine and the reciprocal
    harmonic mean (top-k hit, MRR, decoy above), and every false answer claim."""
    from ..communities_eval import COMMUNITIES, HELDOUT, evaluate

    with guarded(as_json), err.status("Importing and scoring the communities"):
        figures = evaluate(root or (HELDOUT if heldout else COMMUNITIES), names=community, k=k)
    if as_json:
        print_json(figures)
        return
    show_communities(figures)


def show_communities(figures: dict) -> None:
    """A table per community and one overall, then the false and misattributed claims."""
    k = figures["k"]
    parts = [(f"{name} ({c['n_members']} members)", c)
             for name, c in figures["communities"].items()]
    parts.append(("overall", figures["overall"]))
    for title, part in parts:
        table = Table(title=title)
        for col in ("method", f"top-{k} hit", "seeker hit", f"MRR@{k}", "decoy above",
                    "claims", "false claims", "seeks", "seekers"):
            table.add_column(col)
        for name in ("model", "cosine", "cosine_seeker", "harmonic"):
            f = part[name]
            table.add_row(name, _fmt(f["hit_rate"]), _fmt(f["seeker_hit"]), _fmt(f["mrr"]),
                          _fmt(f["decoy_above"]), str(f.get("n_claims", "-")),
                          _claims(f), str(f["n_seeks"]), str(f["n_seekers"]))
        out.print(table)
    for name, c in figures["communities"].items():
        for label, rows in (("false claim", c["false_claims"]),
                            ("misattributed claim", c["misattributed_claims"])):
            for r in rows:
                out.print(f"[bold red]{label}[/] {name}: to {r['seeker_id']} ({r['seeker']}), "
                          f"#{r['position']} {r['member_id']} ({r['member']}): {r['text']}",
                          highlight=False)


def _claims(f: dict) -> str:
    if "n_false_claims" not in f:
        return "-"
    mis = f["n_misattributed"]
    return str(f["n_false_claims"]) + (f" (+{mis} misattributed)" if mis else "")


def _fmt(v) -> str:
    return "-" if v is None else f"{v:.3f}"
