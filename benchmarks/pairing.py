"""Pairing engine: exact blossom vs our fast method vs greedy alone vs random pairing (the
"coffee bot" baseline), on realistic score matrices, 5 rounds of 1:1 (plus a tables run).

    python benchmarks/pairing.py            # n = 50, 200, 1000, 5000
    python benchmarks/pairing.py --quick    # n = 50, 200 and 3 rounds: a minute or less

Score matrices are not uniform noise: each attendee gets an interest vector (low-rank
structure: people with shared interests score high), a role with a role-to-role affinity
(providers want business reps, ...), and noise; scores are clipped to [0, 1].

Ratios compare each round's total score with the reference method's same round (exact where
it runs, else fast). Round 1 is the like-for-like figure (same inputs for every method);
later rounds depend on each method's own history.

Writes benchmarks/results/pairing.json and pairing.md.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import RESULTS, commit, write  # noqa: E402

from matcher.pairing import schedule  # noqa: E402

METHODS = ("exact", "fast", "greedy", "random")
ROLE_AFFINITY = np.array([  # entre-ployee, b2b-provider, business-rep, self, non-b2b-rep
    [0.6, 0.5, 0.6, 0.5, 0.4],
    [0.5, 0.2, 0.9, 0.6, 0.4],
    [0.6, 0.9, 0.4, 0.5, 0.5],
    [0.5, 0.6, 0.5, 0.5, 0.4],
    [0.4, 0.4, 0.5, 0.4, 0.3],
])


def weights(n: int, seed: int = 0, dims: int = 12) -> np.ndarray:
    """A realistic pair-score matrix: shared interests + role fit + noise, in [0, 1]."""
    rng = np.random.default_rng(seed)
    topics = rng.dirichlet(np.full(dims, 0.3), size=n)  # a few strong interests each
    topics /= np.linalg.norm(topics, axis=1, keepdims=True)
    interest = topics @ topics.T
    roles = rng.choice(len(ROLE_AFFINITY), size=n, p=[0.2, 0.3, 0.3, 0.1, 0.1])
    fit = ROLE_AFFINITY[np.ix_(roles, roles)]
    noise = rng.normal(0, 0.08, (n, n))
    w = 0.55 * interest + 0.35 * fit + 0.1 + (noise + noise.T) / 2
    w = np.clip(w, 0, 1)
    np.fill_diagonal(w, 0)
    return w


def run(n: int, method: str, rounds: int, table_size: int) -> dict:
    w = weights(n)
    t0 = time.perf_counter()
    s = schedule(w, rounds=rounds, table_size=table_size, method=method, seed=0)
    seconds = time.perf_counter() - t0
    m = s.metrics
    return {
        "seconds": seconds,
        "round_totals": m["round_totals"],
        "total_score": m["total_score"],
        "mean_score": m["mean_score"],
        "min_best": m["min_best"],
        "n_without_good_match": m["n_without_good_match"],
        "gini": m["gini"],
        "repeats": m["repeats"],
    }


def add_ratios(results: dict[str, dict]) -> str:
    ref = "exact" if "exact" in results else "fast"
    base = results[ref]["round_totals"]
    for r in results.values():
        ratios = [a / b for a, b in zip(r["round_totals"], base, strict=True)]
        r["ratio_round1"] = ratios[0]
        r["ratio_mean"] = float(np.mean(ratios))
        r["ratio_min"] = float(np.min(ratios))
        r["ratio_total"] = r["total_score"] / results[ref]["total_score"]
        r["reference"] = ref
    return ref


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="n = 50, 200 and 3 rounds")
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--sizes", type=int, nargs="*", default=None)
    ap.add_argument("--exact-max", type=int, default=200,
                    help="run the blossom reference up to this many attendees")
    ap.add_argument("--no-tables", action="store_true", help="skip the tables-of-4 run")
    args = ap.parse_args()
    sizes = args.sizes or ([50, 200] if args.quick else [50, 200, 1000, 5000])
    rounds = args.rounds or (3 if args.quick else 5)
    console = Console()
    if not console.is_terminal:
        console = Console(width=150)

    jobs = [(n, m, 2) for n in sizes for m in METHODS if m != "exact" or n <= args.exact_max]
    if not args.no_tables:
        jobs += [(n, m, 4) for n in sizes if n <= 1000 for m in ("fast", "greedy", "random")]
    figures: dict[str, dict] = {}
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
                  "{task.total}"), TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("pairing", total=len(jobs))
        for n, method, size in jobs:
            progress.update(task, description=f"n={n} {method} table={size}")
            key = f"n={n} table={size}"
            figures.setdefault(key, {"n": n, "table_size": size, "rounds": rounds,
                                     "methods": {}})
            figures[key]["methods"][method] = run(n, method, rounds, size)
            progress.advance(task)
    for fig in figures.values():
        fig["reference"] = add_ratios(fig["methods"])

    table = Table(title=f"Pairing, {rounds} rounds (ratios vs reference per round)")
    for col in ("n", "table", "method", "time s", "round 1", "mean", "worst round", "event",
                "min_best", "no good", "gini", "repeats"):
        table.add_column(col, justify="right" if col not in ("method",) else "left")
    rows = []
    for fig in figures.values():
        for method, r in fig["methods"].items():
            row = [str(fig["n"]), "1:1" if fig["table_size"] == 2 else str(fig["table_size"]),
                   method + (" (ref)" if method == fig["reference"] else ""),
                   f"{r['seconds']:.2f}", f"{r['ratio_round1']:.4f}", f"{r['ratio_mean']:.4f}",
                   f"{r['ratio_min']:.4f}", f"{r['ratio_total']:.4f}", f"{r['min_best']:.3f}",
                   str(r["n_without_good_match"]), f"{r['gini']:.3f}", str(r["repeats"])]
            rows.append(row)
            table.add_row(*row)
    console.print(table)

    command = "python benchmarks/pairing.py" + (" --quick" if args.quick else "")
    path = write("pairing", {"command": command, "rounds": rounds, "runs": figures})
    md = RESULTS / "pairing.md"
    head = ["n", "table", "method", "time s", "round 1", "mean", "worst round", "event",
            "min_best", "no good match", "gini", "repeats"]
    lines = [
        "# Pairing benchmark",
        "",
        f"- commit: `{commit()}`",
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"- machine: {__import__('os').cpu_count()} CPUs, Python {platform.python_version()}",
        f"- command: `{command}`",
        f"- {rounds} rounds; score matrices from `weights()` (interests + role fit + noise)",
        "",
        "Ratios: a round's total score over the reference method's (exact blossom where it",
        "runs, else fast) in the same round; *round 1* is like-for-like, *mean* and *worst",
        "round* average / minimum over rounds (later rounds differ in history), *event* is the",
        "whole event's total. *min_best*: the worst-off attendee's best introduction; *no good",
        "match*: attendees whose best is below 0.3.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---" for _ in head) + "|",
        *("| " + " | ".join(r) + " |" for r in rows),
        "",
    ]
    md.write_text("\n".join(lines))
    console.print(f"wrote {path} and {md}")


if __name__ == "__main__":
    main()
