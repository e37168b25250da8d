"""``schedule``: seat every round of an event from a pair-score matrix and constraints.

Rounds are solved in order. Each round:

1. Locked groups of the round are kept as they are.
2. Pending forced pairs whose members are both present and not locked are seated together
   (1:1: as a pair; tables: merged into one seed group while it fits a table).
3. Everybody else present is seated by the 1:1 solver (:mod:`.pairs`) or the table solver
   (:mod:`.tables`), fairness first: the worst-off attendee's best introduction is raised
   before the total. From the second round on, pair weights are *boosted* by how much a pair
   would raise each member's best introduction so far (``boost`` times the gain), so that
   people without a good match yet get one.

If a round cannot be seated, constraints are relaxed in this order (each step recorded in
``Schedule.relaxations`` and ``Schedule.warnings``, and warned with :class:`PairingWarning`):

a. the fairness threshold is lowered, down to none (silent: that is the max-min search itself);
b. forced pairs of this round are deferred to the next round where both are free;
c. pairs that already met may meet again, as few as possible (``metrics["repeats"] > 0``);
d. otherwise :class:`InfeasibleScheduleError`: forbidden pairs are never seated together.
"""

from __future__ import annotations

import warnings as _warnings
from typing import Any

import numpy as np

from .constraints import PairingConstraints, Prepared, prepare, validate_weights
from .errors import InfeasibleScheduleError, PairingError, PairingWarning
from .matching import NEG
from .metrics import GOOD_MATCH, evaluate, group_pairs, group_scores
from .pairs import PairProblem, solve_pairs
from .result import Schedule
from .sizes import table_sizes
from .tables import HARD, TableProblem, solve_tables

AUTO_EXACT_MAX = 100  # "auto" uses blossom up to this many attendees
METHODS = ("auto", "exact", "fast", "greedy", "random")
BOOST = 0.5
REPEAT_PENALTY = 1e3  # tables: objective cost of a repeat meeting (when repeats are allowed)


def _effective(R: np.ndarray, best: np.ndarray, boost: float, dtype) -> np.ndarray:
    """``R + boost * (gain_i + gain_j)``, where ``gain_i = max(0, R - best_i)``.

    Computed in place with one scratch matrix (5,000 attendees: 100 MB per float32 matrix).
    """
    E = R.astype(dtype, copy=True)
    if not boost:
        return E
    b = np.maximum(best, 0.0).astype(dtype)
    if not b.any():  # nobody has met anybody: the boost is a uniform scale, skip it
        return E
    gain = np.subtract(E, b[:, None])
    np.maximum(gain, 0, out=gain)
    other = np.subtract(E, b[None, :], out=np.empty_like(E))
    np.maximum(other, 0, out=other)
    gain += other
    del other
    gain *= dtype(boost)
    E += gain
    return E


class _Run:
    """State of one ``schedule`` call."""

    def __init__(self, W, prep: Prepared, *, table_size, method, fairness, boost, rng,
                 max_passes, time_limit):
        self.W, self.prep = W, prep
        self.n = W.shape[0]
        self.table_size, self.method, self.fairness, self.boost = table_size, method, fairness, boost
        self.rng, self.max_passes, self.time_limit = rng, max_passes, time_limit
        self.met = np.zeros((self.n, self.n), dtype=np.uint8)
        self.best = np.full(self.n, -np.inf)
        self.warnings: list[str] = []
        self.relaxations: dict[int, list[str]] = {}

    # -- bookkeeping ---------------------------------------------------------------------
    def meet(self, groups: list[list[int]]) -> None:
        """Record that the members of each group have met."""
        _, a, b = group_pairs(groups)
        if a.size == 0:
            return
        np.add.at(self.met, (a, b), 1)
        self.met[b, a] = self.met[a, b]
        w = np.asarray(self.W[a, b], dtype=np.float64)
        np.maximum.at(self.best, a, w)
        np.maximum.at(self.best, b, w)

    def warn(self, r: int, step: str | None, message: str) -> None:
        if step:
            self.relaxations.setdefault(r, [])
            if step not in self.relaxations[r]:
                self.relaxations[r].append(step)
        self.warnings.append(f"round {r + 1}: {message}")
        _warnings.warn(f"round {r + 1}: {message}", PairingWarning, stacklevel=4)

    # -- forced pairs --------------------------------------------------------------------
    def seeds(self, pending: list[tuple[int, int]], free: list[int]) -> list[list[int]]:
        """Seed groups from pending forced pairs both of whose members are free this round."""
        free_set = set(free)
        sizes = table_sizes(len(free), self.table_size)
        if not sizes:
            return []
        groups: list[list[int]] = []
        where: dict[int, int] = {}
        for a, b in pending:
            if a not in free_set or b not in free_set:
                continue
            ga, gb = where.get(a), where.get(b)
            if ga is not None and ga == gb:
                continue
            if self.table_size == 2 and (ga is not None or gb is not None):
                continue  # 1:1: one forced partner per person per round
            merged = sorted(set(groups[ga] if ga is not None else [a])
                            | set(groups[gb] if gb is not None else [b]))
            sub = np.ix_(merged, merged)
            if self.prep.forbidden[sub].any() or self.met[sub].any():
                continue
            trial = [g for i, g in enumerate(groups) if i not in (ga, gb)] + [merged]
            if not _packs(trial, sizes):
                continue
            groups = trial
            where = {x: i for i, g in enumerate(groups) for x in g}
        return groups

    # -- one round -----------------------------------------------------------------------
    def solve(self, r: int, free: list[int], seeds: list[list[int]], repeats: bool
              ) -> list[list[int]] | None:
        """Seat ``free`` (global indices) around ``seeds``; ``None`` if not possible."""
        if not free:
            return []
        idx = np.asarray(free)
        m = len(free)
        if m == self.n:  # everybody: views, no copies of n x n matrices
            R, forbidden, met = self.W, self.prep.forbidden, self.met
        else:
            sub = np.ix_(idx, idx)
            R, forbidden, met = self.W[sub], self.prep.forbidden[sub], self.met[sub]
        allowed = ~forbidden if repeats else ~forbidden & (met == 0)
        np.fill_diagonal(allowed, False)
        best = self.best[idx]
        fairness = self.fairness and not repeats
        method = self.method
        local_of = {g: i for i, g in enumerate(free)}
        lseeds = [[local_of[x] for x in s] for s in seeds]
        if method == "random":
            noise = self.rng.random((m, m))
            R_obj, boost, fairness, method = np.triu(noise, 1) + np.triu(noise, 1).T, 0.0, False, \
                "greedy"
        else:
            R_obj, boost = R, self.boost
        if self.table_size == 2:
            groups = self._solve_pairs(R, R_obj, allowed, met, best, lseeds, boost=boost,
                                       fairness=fairness, method=method, repeats=repeats)
        else:
            groups = self._solve_tables(R, R_obj, allowed, forbidden, met, best, lseeds,
                                        boost=boost, fairness=fairness, method=method,
                                        repeats=repeats)
        if groups is None:
            return None
        _, a, b = group_pairs(groups)  # never trust a heuristic with the hard rules
        if forbidden[a, b].any() or (not repeats and met[a, b].any()):
            return None
        return [sorted(free[i] for i in g) for g in groups]

    def _solve_pairs(self, R, R_obj, allowed, met, best, seeds, *, boost, fairness, method,
                     repeats):
        m = R.shape[0]
        pinned = sorted(x for s in seeds for x in s)
        pool = np.setdiff1d(np.arange(m), pinned)
        dtype = np.float64 if (m <= 2500 or repeats) else np.float32
        sub = np.ix_(pool, pool)
        Rp = R[sub] if len(pool) < m else R
        E = _effective(R_obj[sub] if len(pool) < m else R_obj, best[pool], boost, dtype)
        ap = allowed[sub] if len(pool) < m else allowed
        if repeats:
            mp = met[sub] if len(pool) < m else met
            E -= (10.0 * m + REPEAT_PENALTY) * mp
        E[~ap] = NEG
        np.fill_diagonal(E, NEG)
        problem = PairProblem(Rp, ap, best[pool], E)
        passes = self.max_passes if self.max_passes is not None else 20
        local = solve_pairs(problem, method=method, fairness=fairness, rng=self.rng,
                            max_passes=passes, time_limit=self.time_limit)
        if local is None:
            return None
        groups = [[int(pool[i]) for i in g] for g in local] + [list(s) for s in seeds]
        singles = [g for g in groups if len(g) == 1]
        if singles and len(groups) > 1:  # one person left after forced pairs: join one of them
            x = singles[0][0]
            rest = [g for g in groups if g is not singles[0]]
            ok = [i for i, g in enumerate(rest) if len(g) == 2 and allowed[x, g].all()]
            if not ok:
                return None
            i = max(ok, key=lambda i: (float(R_obj[x, rest[i]].sum()), -i))
            rest[i] = sorted(rest[i] + [x])
            groups = rest
        return groups

    def _solve_tables(self, R, R_obj, allowed, forbidden, met, best, seeds, *, boost, fairness,
                      method, repeats):
        m = R.shape[0]
        sizes = table_sizes(m, self.table_size)
        E = _effective(R_obj, best, boost, np.float64)
        if repeats:
            E -= REPEAT_PENALTY * met
        else:
            E[met > 0] = -HARD
        E[forbidden] = -HARD
        np.fill_diagonal(E, 0.0)
        problem = TableProblem(R, allowed, best, E, sizes, seeds)
        passes = self.max_passes if self.max_passes is not None else 10
        return solve_tables(problem, method=method, fairness=fairness, rng=self.rng,
                            max_passes=passes, time_limit=self.time_limit)

    def round(self, r: int, pending: list[tuple[int, int]]) -> list[list[int]]:
        locked = [list(g) for g in self.prep.locked.get(r, [])]
        in_locked = {x for g in locked for x in g}
        free = [i for i in self.prep.present[r] if i not in in_locked]
        seeds = self.seeds(pending, free)
        attempts = [(seeds, False)]
        if seeds:
            attempts.append(([], False))
        attempts.append((seeds, True))
        if seeds:
            attempts.append(([], True))
        for s, repeats in attempts:
            groups = self.solve(r, free, s, repeats)
            if groups is None:
                continue
            if seeds and not s:
                self.warn(r, "forced_deferred",
                          f"forced pair(s) {sorted(tuple(x) for x in seeds)} deferred: the round "
                          "could not be seated with them")
            if repeats:
                again = sum(int(self.met[a, b] > 0) for g in groups for i, a in enumerate(g)
                            for b in g[i + 1:])
                if again:
                    self.warn(r, "repeats",
                              f"{again} pair(s) meet again: no seating without a repeat exists")
            break
        else:
            raise InfeasibleScheduleError(r, free)
        for g in groups:
            if len(g) == 1 and len(free) + len(in_locked) > 1:
                self.warn(r, None, f"attendee {g[0]} has nobody to sit with")
        groups.sort(key=lambda g: g[0])
        return locked + groups


def _packs(groups: list[list[int]], sizes: list[int]) -> bool:
    """Whether seed groups fit the tables (largest group into the roomiest table first)."""
    room = sorted(sizes, reverse=True)
    for g in sorted(groups, key=len, reverse=True):
        i = int(np.argmax(room))
        if room[i] < len(g):
            return False
        room[i] -= len(g)
    return len(groups) <= len(sizes)


def schedule(
    weights: np.ndarray,
    *,
    rounds: int,
    table_size: int = 2,
    constraints: PairingConstraints | None = None,
    method: str = "auto",
    seed: int | None = 0,
    fairness: bool = True,
    boost: float = BOOST,
    good_match: float = GOOD_MATCH,
    max_passes: int | None = None,
    time_limit: float | None = None,
) -> Schedule:
    """Seat every round of an event.

    Parameters
    ----------
    weights : ndarray, shape (n, n)
        Symmetric pair scores in [0, 1], higher = better introduction; diagonal ignored.
        Attendees are the indices ``0..n-1``.
    rounds : int
        Number of rounds (>= 0).
    table_size : int, default 2
        2 for 1:1 (pairs, plus one trio when the head count is odd); N for tables of N (sizes
        N or N+1, see :func:`matcher.pairing.sizes.table_sizes`).
    constraints : PairingConstraints, optional
        Forbidden, forced and locked groups, availability.
    method : {"auto", "exact", "fast", "greedy", "random"}, default "auto"
        ``"exact"``: networkx blossom per round (1:1; slow beyond a few hundred people).
        ``"fast"``: greedy on per-person top-k candidates plus 2-opt swaps. ``"greedy"``: the
        greedy step alone. ``"random"``: random seating that still keeps every hard rule (the
        "coffee bot" baseline). ``"auto"``: exact up to ``AUTO_EXACT_MAX`` (200) attendees,
        else fast. At tables every method uses the swap heuristic (``"greedy"``: seeding only).
    seed : int or None, default 0
        Seed for every random choice; the same seed and inputs give the same schedule.
    fairness : bool, default True
        Max-min first (see module docs). ``False``: maximise the total only.
    boost : float, default 0.5
        Weight of "raises this person's best introduction so far" in the objective.
    good_match : float, default 0.3
        Threshold for ``metrics["n_without_good_match"]``.
    max_passes : int, optional
        Cap on improvement passes per round (default 20 for 1:1, 10 for tables).
    time_limit : float, optional
        Seconds per round for the improvement phases. Off by default: a time limit makes the
        result depend on machine speed, so the same seed may then give different schedules.

    Returns
    -------
    Schedule

    Raises
    ------
    PairingError
        Bad weights or arguments.
    ConstraintError
        Contradictory or out-of-range constraints.
    InfeasibleScheduleError
        A round cannot be seated without seating a forbidden pair together.

    Warns
    -----
    PairingWarning
        A forced pair was deferred, a pair meets twice, or someone sits alone.
    """
    W = validate_weights(weights)
    n = W.shape[0]
    if isinstance(rounds, bool) or not isinstance(rounds, int | np.integer) or rounds < 0:
        raise PairingError(f"rounds must be a non-negative int, got {rounds!r}")
    if isinstance(table_size, bool) or not isinstance(table_size, int | np.integer) \
            or table_size < 2:
        raise PairingError(f"table_size must be an int >= 2, got {table_size!r}")
    if method not in METHODS:
        raise PairingError(f"method must be one of {METHODS}, got {method!r}")
    rounds, table_size = int(rounds), int(table_size)
    prep = prepare(constraints, n, rounds)
    resolved = method if method != "auto" else ("exact" if n <= AUTO_EXACT_MAX else "fast")
    run = _Run(W, prep, table_size=table_size, method=resolved, fairness=fairness, boost=boost,
               rng=np.random.default_rng(seed), max_passes=max_passes, time_limit=time_limit)

    for groups in prep.locked.values():
        for g in groups:
            if run.met[np.ix_(g, g)].any():
                run.warnings.append(f"locked group {g} repeats a pair from another locked group")
            run.meet([g])
    pending = [(a, b) for a, b in prep.forced if not run.met[a, b]]

    out: list[list[list[int]]] = []
    for r in range(rounds):
        groups = run.round(r, pending)
        run.meet([g for g in groups if g not in prep.locked.get(r, [])])
        together = {(a, b) for g in groups for a in g for b in g if a < b}
        pending = [p for p in pending if p not in together]
        out.append(groups)
    for a, b in pending:
        run.warnings.append(f"forced pair ({a}, {b}) never met: never both present and free")
        _warnings.warn(run.warnings[-1], PairingWarning, stacklevel=2)

    scores = [group_scores(W, rnd) for rnd in out]
    metrics: dict[str, Any] = evaluate(out, W, forbidden=prep.forbidden_pairs,
                                       forced=prep.forced, good_match=good_match)
    return Schedule(rounds=out, scores=scores, metrics=metrics, n=n, table_size=table_size,
                    method=resolved, seed=seed, warnings=run.warnings,
                    relaxations=run.relaxations)
