"""Scoring a schedule, and comparing two."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import numpy as np

from .result import Schedule

GOOD_MATCH = 0.3


def group_pairs(groups: list[list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every within-group pair as arrays ``(group index, a, b)`` with ``a < b``."""
    gid: list[int] = []
    left: list[int] = []
    right: list[int] = []
    for k, g in enumerate(groups):
        for a, b in itertools.combinations(sorted(int(x) for x in g), 2):
            gid.append(k)
            left.append(a)
            right.append(b)
    return (np.asarray(gid, dtype=np.int64), np.asarray(left, dtype=np.int64),
            np.asarray(right, dtype=np.int64))


def group_scores(weights: np.ndarray, groups: list[list[int]]) -> list[float]:
    """Mean pair weight within each group (0.0 for a group of one)."""
    gid, a, b = group_pairs(groups)
    k = len(groups)
    sums = np.bincount(gid, weights=np.asarray(weights[a, b], dtype=np.float64), minlength=k)
    counts = np.bincount(gid, minlength=k)
    return [float(s / c) if c else 0.0 for s, c in zip(sums, counts, strict=True)]


def group_score(weights: np.ndarray, group: list[int]) -> float:
    """Mean pair weight within ``group`` (0.0 for a group of one)."""
    return group_scores(weights, [group])[0]


def gini(values: Iterable[float]) -> float:
    """Gini coefficient of non-negative values (0 = all equal; 0.0 for empty or all zero)."""
    x = np.sort(np.asarray(list(values), dtype=np.float64))
    if x.size == 0 or x.sum() <= 0:
        return 0.0
    i = np.arange(1, x.size + 1)
    return float(np.sum((2 * i - x.size - 1) * x) / (x.size * x.sum()))


def evaluate(
    rounds: list[list[list[int]]],
    weights: np.ndarray,
    *,
    forbidden: Iterable[Iterable[int]] = (),
    forced: Iterable[tuple[int, int]] = (),
    good_match: float = GOOD_MATCH,
) -> dict[str, Any]:
    """Metrics of a seating plan (any plan: ours, a baseline, a hand-made one).

    Parameters
    ----------
    rounds : list of list of list of int
        Groups per round.
    weights : ndarray, shape (n, n)
        Pair scores.
    forbidden : iterable of pairs, optional
        Pairs that must not share a table (counted in ``forbidden_violations``).
    forced : iterable of (int, int), optional
        Pairs that must meet (counted in ``forced_unmet`` when they never do).
    good_match : float, default 0.3
        An attendee whose best introduction scores below this has no good match.

    Returns
    -------
    dict
        ``total_score`` (sum of group scores over all rounds), ``mean_score`` (mean score of
        groups of two or more), ``round_totals``, ``per_attendee_best`` and
        ``per_attendee_mean`` (attendee -> best / mean weight over everybody they share a
        table with, for attendees with at least one tablemate), ``min_best``,
        ``n_without_good_match``, ``good_match``, ``gini`` (of the per-attendee means),
        ``repeats`` (pairs sharing a table more than once), ``forbidden_violations`` (pairs
        in a group that are forbidden, counted per occurrence), ``forced_unmet``, ``alone``
        (groups of one), ``n_groups``.
    """
    w = np.asarray(weights)
    n = w.shape[0]
    keys, vals, totals, scores = [], [], [], []
    alone = 0
    for rnd in rounds:
        gs = group_scores(w, rnd)
        totals.append(float(sum(gs)))
        scores += [s for s, g in zip(gs, rnd, strict=True) if len(g) > 1]
        alone += sum(len(g) < 2 for g in rnd)
        _, a, b = group_pairs(rnd)
        keys.append(a * n + b)
        vals.append(np.asarray(w[a, b], dtype=np.float64))
    key = np.concatenate(keys) if keys else np.empty(0, np.int64)
    val = np.concatenate(vals) if vals else np.empty(0)
    ends = np.concatenate([key // n, key % n]) if key.size else np.empty(0, np.int64)
    both = np.concatenate([val, val])
    seen = np.bincount(ends, minlength=n) > 0
    best_arr = np.full(n, -np.inf)
    np.maximum.at(best_arr, ends, both)
    mean_arr = np.bincount(ends, weights=both, minlength=n) / np.maximum(
        np.bincount(ends, minlength=n), 1)
    best = {int(i): float(best_arr[i]) for i in np.flatnonzero(seen)}
    mean = {int(i): float(mean_arr[i]) for i in np.flatnonzero(seen)}
    uniq, counts = np.unique(key, return_counts=True)

    def keyed(pairs) -> np.ndarray:
        out = [min(int(x), int(y)) * n + max(int(x), int(y)) for x, y in (tuple(p) for p in pairs)]
        return np.asarray(out, dtype=np.int64)

    bad = np.unique(keyed(forbidden))
    forced_keys = np.unique(keyed(forced))
    return {
        "total_score": float(sum(totals)),
        "mean_score": float(np.mean(scores)) if scores else 0.0,
        "round_totals": totals,
        "per_attendee_best": best,
        "per_attendee_mean": mean,
        "min_best": min(best.values()) if best else 0.0,
        "n_without_good_match": sum(v < good_match for v in best.values()),
        "good_match": good_match,
        "gini": gini(mean.values()),
        "repeats": int(np.sum(counts > 1)),
        "forbidden_violations": int(np.isin(key, bad).sum()),
        "forced_unmet": int((~np.isin(forced_keys, uniq)).sum()),
        "alone": alone,
        "n_groups": sum(len(rnd) for rnd in rounds),
    }


_SCALARS = ("total_score", "mean_score", "min_best", "n_without_good_match", "gini", "repeats",
            "forbidden_violations", "forced_unmet", "alone", "n_groups")


def compare(schedule_a: Schedule, schedule_b: Schedule) -> dict[str, Any]:
    """Side-by-side metrics and the pairs that differ between two schedules.

    Returns
    -------
    dict
        ``metrics``: name -> ``{"a", "b", "delta"}`` (``delta = b - a``) for the scalar
        metrics; ``round_totals``: per round ``{"a", "b"}``; ``pairs_added`` and
        ``pairs_removed``: sorted ``[i, j]`` pairs meeting in ``b`` but not ``a`` and the other
        way round; ``changed_rounds``: 0-based rounds whose groups differ.
    """
    ma, mb = schedule_a.metrics, schedule_b.metrics
    metrics = {}
    for k in _SCALARS:
        if k in ma or k in mb:
            a, b = ma.get(k), mb.get(k)
            delta = b - a if isinstance(a, int | float) and isinstance(b, int | float) else None
            metrics[k] = {"a": a, "b": b, "delta": delta}
    ta, tb = ma.get("round_totals", []), mb.get("round_totals", [])
    pa, pb = schedule_a.pairs(), schedule_b.pairs()

    def canon(rnd: list[list[int]]) -> set[tuple[int, ...]]:
        return {tuple(sorted(g)) for g in rnd}

    changed = [r for r in range(max(len(schedule_a.rounds), len(schedule_b.rounds)))
               if r >= len(schedule_a.rounds) or r >= len(schedule_b.rounds)
               or canon(schedule_a.rounds[r]) != canon(schedule_b.rounds[r])]
    return {
        "metrics": metrics,
        "round_totals": [{"a": ta[r] if r < len(ta) else None, "b": tb[r] if r < len(tb) else None}
                         for r in range(max(len(ta), len(tb)))],
        "pairs_added": [list(p) for p in sorted(pb - pa)],
        "pairs_removed": [list(p) for p in sorted(pa - pb)],
        "changed_rounds": changed,
    }
