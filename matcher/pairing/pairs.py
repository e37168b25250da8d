"""One 1:1 round: fairness threshold first, then the best total at that threshold.

Fairness (max-min). Let ``b[i]`` be attendee ``i``'s best introduction so far this event
(``-inf`` before their first). For a threshold ``t`` call ``i`` *satisfied* if ``b[i] >= t``.
A pair ``(i, j)`` is *usable* at ``t`` when it is allowed and either ``w[i, j] >= t`` or both
are already satisfied. A perfect matching of usable pairs gives everybody a best-so-far of at
least ``t`` after this round, so we look for the largest ``t`` for which one exists (binary
search over the distinct scores), then maximise the total among usable pairs. In round one
this is exactly "the largest t such that everybody gets a partner scoring >= t"; later it
spends the round's good pairs on those still without a good introduction.

Odd head count: one person is left over by the matching (the one whose absence costs least)
and joins the pair that suits them best, forming the round's single trio.
"""

from __future__ import annotations

import time

import numpy as np

from .matching import (
    NEG,
    assignment_matching,
    augment,
    candidate_edges,
    exact_matching,
    greedy_matching,
    insert_single,
    pairs_of,
    two_opt,
)
from .tutte import has_perfect_matching

_EXACT_FALLBACK_MAX = 400  # below this, a failed greedy repair is double-checked with blossom
_CANDIDATES = 24  # per-vertex candidate list length for greedy matching
_TUTTE_MAX = 200  # fast method: up to this pool size the threshold is found exactly (Tutte)
_SINGLE_RETRIES = 4  # blossom re-runs with a different person left over for the trio


class PairProblem:
    """One round's 1:1 pool in local indices.

    Parameters
    ----------
    R : ndarray, shape (m, m)
        Raw pair scores (for the threshold).
    allowed : ndarray of bool, shape (m, m)
        Pairs that may meet this round (diagonal False).
    best : ndarray, shape (m,)
        Best introduction so far per person (``-inf`` for none).
    E : ndarray, shape (m, m)
        Objective weights, ``NEG`` where not allowed.
    """

    def __init__(self, R: np.ndarray, allowed: np.ndarray, best: np.ndarray, E: np.ndarray):
        self.R, self.allowed, self.best, self.E = R, allowed, best, E
        self.m = R.shape[0]
        self.odd = self.m % 2 == 1

    # -- usable pairs at a threshold ------------------------------------------------------
    def usable(self, t: float) -> np.ndarray:
        if t == -np.inf:
            return self.allowed
        sat = self.best >= t
        return self.allowed & ((self.R >= t) | (sat[:, None] & sat[None, :]))

    def rows(self, t: float):
        def fn(F: np.ndarray) -> np.ndarray:
            if t == -np.inf:
                return self.allowed[F]
            sat = self.best >= t
            return self.allowed[F] & ((self.R[F] >= t) | (sat[F][:, None] & sat[None, :]))

        return fn

    def upper_bound(self) -> float:
        """No threshold above ``min_i max(best_i, best allowed score of i)`` is feasible."""
        if self.m < 2:
            return np.inf
        rowmax = np.where(self.allowed, self.R, -np.inf).max(axis=1)
        return float(np.min(np.maximum(self.best, rowmax)))

    def thresholds(self) -> np.ndarray:
        """Every distinct score an optimal threshold can take, ascending."""
        vals = self.R[np.triu(self.allowed, 1)]
        b = self.best[np.isfinite(self.best)]
        return np.unique(np.concatenate([vals, b]).astype(np.float64))

    # -- the trio ------------------------------------------------------------------------
    def seat_single(self, mate: np.ndarray, t: float) -> list[list[int]] | None:
        """Turn a matching with one person left over into pairs plus one trio."""
        A, B = pairs_of(mate)
        groups = [[int(a), int(b)] for a, b in zip(A, B, strict=True)]
        free = np.flatnonzero(mate < 0)
        if free.size == 0:
            return groups
        if free.size > 1:
            return None
        x = int(free[0])

        def fair_ok(v: int) -> np.ndarray | None:
            if t == -np.inf or self.best[v] >= t:
                return None
            return self.R[v] >= t

        gi = insert_single(x, groups, self.E, self.allowed[x], fair_ok(x))
        if gi is not None:
            groups[gi] = sorted(groups[gi] + [x])
            return groups
        # x takes y's seat and y's partner z becomes the one to place.
        usable_x = self.rows(t)(np.array([x]))[0]
        ys = np.flatnonzero(usable_x & (mate >= 0))
        ys = ys[np.argsort(-self.E[x, ys], kind="stable")][:30]
        where = {v: k for k, g in enumerate(groups) for v in g}
        for y in ys.tolist():
            z = int(mate[y])
            trial = [list(g) for g in groups]
            trial[where[y]] = [x, y]
            gi = insert_single(z, trial, self.E, self.allowed[z], fair_ok(z))
            if gi is not None:
                trial[gi] = sorted(trial[gi] + [z])
                return [sorted(g) for g in trial]
        return None

    # -- exact ---------------------------------------------------------------------------
    def _feasible(self, t: float, rng: np.random.Generator) -> bool:
        U = self.usable(t)
        if self.odd:
            U = np.pad(U, ((0, 1), (0, 1)), constant_values=True)
            U[-1, -1] = False
        return has_perfect_matching(U, rng)

    def candidates(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-person top-k allowed partners by objective weight, as edges ``i < j``."""
        ci, cj = candidate_edges(self.E, _CANDIDATES)
        ok = self.E[ci, cj] > NEG / 2
        return ci[ok], cj[ok]

    def max_threshold(self, rng: np.random.Generator,
                      cand: tuple[np.ndarray, np.ndarray] | None = None) -> float:
        """The largest feasible threshold, by binary search over the distinct scores.

        A threshold is feasible if a greedy matching plus repair seats everybody with usable
        pairs (a constructive proof); only when that fails does Tutte's test decide.
        """
        ci, cj = cand if cand is not None else self.candidates()

        def feasible(t: float) -> bool:
            return self._build(t, ci, cj) is not None or self._feasible(t, rng)

        t_ub = self.upper_bound()
        if np.isfinite(t_ub) and self._build(t_ub, ci, cj) is not None:
            return t_ub
        vals = self.thresholds()
        vals = vals[vals <= t_ub]
        lo, hi = -1, len(vals)  # vals[lo] feasible (-1 means -inf), vals[hi] infeasible
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if feasible(float(vals[mid])):
                lo = mid
            else:
                hi = mid
        return float(vals[lo]) if lo >= 0 else -np.inf

    def solve_exact(self, *, fairness: bool, rng: np.random.Generator) -> list[list[int]] | None:
        """Blossom per threshold; the threshold itself by binary search with Tutte's test."""
        t_star = self.max_threshold(rng) if fairness else -np.inf
        for t in dict.fromkeys([t_star, -np.inf]):
            U = self.usable(t)
            Et = np.where(U, self.E, NEG)
            tried: tuple[int, ...] = ()
            for _ in range(_SINGLE_RETRIES if self.odd else 1):
                mate = exact_matching(Et, U, single=self.odd, not_single=tried)
                groups = self.seat_single(mate, t)
                if groups is not None:
                    return groups
                left = np.flatnonzero(mate < 0)
                if left.size != 1:
                    break
                tried += (int(left[0]),)
        return None

    # -- fast ----------------------------------------------------------------------------
    def _build(self, t: float, ci: np.ndarray, cj: np.ndarray) -> np.ndarray | None:
        if t != -np.inf:
            sat = self.best >= t
            keep = (self.R[ci, cj] >= t) | (sat[ci] & sat[cj])
            ci, cj = ci[keep], cj[keep]
        mate = greedy_matching(self.E, ci, cj)
        left = augment(mate, self.rows(t), leave=int(self.odd))
        return mate if left <= int(self.odd) else None

    def _assignment(self, t: float, ci: np.ndarray, cj: np.ndarray, Et: np.ndarray
                    ) -> np.ndarray | None:
        """Assignment-based matching on the usable candidates, completed greedily."""
        keep = Et[ci, cj] > NEG / 2
        mate = assignment_matching(Et, ci[keep], cj[keep])
        if mate is None:
            return None
        left = np.flatnonzero(mate < 0)
        if left.size > int(self.odd):
            sub = Et[np.ix_(left, left)]
            li, lj = np.nonzero(np.triu(sub > NEG / 2, 1))
            part = greedy_matching(sub, li, lj)
            for a in np.flatnonzero(part >= 0).tolist():
                mate[left[a]] = left[part[a]]
        if augment(mate, self.rows(t), leave=int(self.odd)) > int(self.odd):
            return None
        return mate

    def solve_fast(
        self,
        *,
        fairness: bool,
        improve: bool,
        rng: np.random.Generator,
        tutte: bool = True,
        max_passes: int,
        deadline: float | None,
    ) -> list[list[int]] | None:
        """Threshold, then the best matching we can find quickly among usable pairs.

        1. Candidates: each person's top-k partners (``np.argpartition``, no full sort).
        2. Threshold: exact (greedy proofs + Tutte) up to ``_TUTTE_MAX`` people, else the
           upper bound if a greedy matching reaches it, else binary search on greedy trials.
        3. Matching: greedy on the usable candidates plus augmenting repair; with ``improve``
           also a max-weight assignment on the candidates turned into a matching (see
           :func:`.matching.assignment_matching`), the better of the two, then 2-opt.
        """
        ci, cj = self.candidates()
        t, mate = -np.inf, None
        if fairness and tutte and self.m <= _TUTTE_MAX:
            t = self.max_threshold(rng, (ci, cj))
            mate = self._build(t, ci, cj)
            if mate is None and t != -np.inf:
                U = self.usable(t)
                mate = exact_matching(np.where(U, self.E, NEG), U, single=self.odd)
                if int(np.sum(mate < 0)) > int(self.odd):
                    mate = None
        elif fairness:
            t_ub = self.upper_bound()
            if np.isfinite(t_ub):
                mate = self._build(t_ub, ci, cj)
                t = t_ub
            if mate is None and np.isfinite(t_ub):
                b = self.best[np.isfinite(self.best)]
                vals = np.unique(np.concatenate([self.R[ci, cj], b]).astype(np.float64))
                vals = vals[vals < t_ub]
                lo, hi = -1, len(vals)
                found = None
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    cand = self._build(float(vals[mid]), ci, cj)
                    if cand is not None:
                        lo, found = mid, cand
                    else:
                        hi = mid
                if found is not None:
                    t, mate = float(vals[lo]), found
        if mate is None:
            t = -np.inf
            mate = self._build(t, ci, cj)
        if mate is None:
            if self.m > _EXACT_FALLBACK_MAX:
                return None
            mate = exact_matching(self.E, self.allowed, single=self.odd)
            if int(np.sum(mate < 0)) > int(self.odd):
                return None
        U = self.usable(t)
        Et = np.where(U, self.E, NEG).astype(self.E.dtype, copy=False)
        if improve:
            better = self._assignment(t, ci, cj, Et)
            if better is not None and _weight(better, Et) > _weight(mate, Et):
                mate = better
            A, B = pairs_of(mate)
            two_opt(A, B, Et, rng=rng, max_passes=max_passes, deadline=deadline)
            mate = np.full(self.m, -1, dtype=np.int64)
            mate[A], mate[B] = B, A
        groups = self.seat_single(mate, t)
        if groups is None and t != -np.inf:
            groups = self.seat_single(mate, -np.inf)
        return groups


def _weight(mate: np.ndarray, E: np.ndarray) -> float:
    a, b = pairs_of(mate)
    return float(E[a, b].astype(np.float64).sum())


def solve_pairs(
    problem: PairProblem,
    *,
    method: str,
    fairness: bool,
    rng: np.random.Generator,
    max_passes: int = 20,
    time_limit: float | None = None,
    tutte: bool = True,
) -> list[list[int]] | None:
    """Seat a 1:1 pool; ``None`` if no seating uses only allowed pairs.

    ``method`` is ``"exact"``, ``"fast"`` or ``"greedy"`` (fast without 2-opt). With
    ``tutte=False`` the fast method finds its threshold by greedy trials only.
    """
    if problem.m == 0:
        return []
    if problem.m == 1:
        return [[0]]
    if method == "exact":
        return problem.solve_exact(fairness=fairness, rng=rng)
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    return problem.solve_fast(fairness=fairness, improve=method == "fast", rng=rng,
                              max_passes=max_passes, deadline=deadline, tutte=tutte)
