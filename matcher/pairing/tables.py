"""One round at tables of N: greedy seeding, then swap improvement under a fairness floor.

1. *Seeding.* Forced groups go to tables first (their members are pinned). Everybody else is
   paired by the 1:1 solver (which already applies the max-min threshold, so each person's
   partner is a good introduction), and the pairs are placed by decreasing score, each into
   the open table it adds most to; people that fit nowhere as a pair are seated one by one.
2. *Swaps.* Exchange two people at different tables when that raises the sum of within-table
   pair weights, as long as nobody's best introduction so far falls below the current floor
   (the worst-off attendee's value). Gains for one person against everybody are computed at
   once from a person x table matrix of sums.
3. *Raise the floor.* For the worst-off attendees, look for a swap that brings them a better
   introduction without pushing anybody else down to the floor; then swap again (step 2).

An attendee's *value* is the larger of their best introduction in earlier rounds and the best
score among their allowed tablemates.
"""

from __future__ import annotations

import time

import numpy as np

from .matching import NEG
from .pairs import PairProblem, solve_pairs

HARD = 1e6  # objective penalty of a pair that may not sit together
EPS = 1e-9
_TOP = 5  # best swap candidates checked against the floor per person
_RAISE_CANDIDATES = 8


class TableProblem:
    """One round's pool at tables, in local indices.

    Parameters
    ----------
    R : ndarray, shape (m, m)
        Raw pair scores.
    allowed : ndarray of bool, shape (m, m)
        Pairs that may sit together this round.
    best : ndarray, shape (m,)
        Best introduction so far per person (``-inf`` for none).
    E : ndarray, shape (m, m), float64
        Objective weights: boosted score, ``-HARD`` for a forbidden pair, a penalty for a
        repeat when repeats are allowed; zero diagonal.
    sizes : list of int
        Table sizes, summing to ``m``.
    seeds : list of list of int
        Forced partial groups; their members stay together.
    """

    def __init__(self, R, allowed, best, E, sizes, seeds):
        self.R, self.allowed, self.best, self.E = R, allowed, best, E
        self.sizes = list(sizes)
        self.seeds = [list(s) for s in seeds]
        self.m = R.shape[0]
        self.k = len(self.sizes)
        self.pinned = np.zeros(self.m, dtype=bool)
        for s in self.seeds:
            self.pinned[s] = True
        self.anchor = np.full(self.m, -1, dtype=np.int64)  # seeding partner (moves as a unit)

    # -- state ---------------------------------------------------------------------------
    def _init_state(self, tables: list[list[int]]) -> None:
        self.members = [list(t) for t in tables]
        self.tab = np.empty(self.m, dtype=np.int64)
        for ti, t in enumerate(self.members):
            self.tab[t] = ti
        # C[x, t]: sum of E[x, y] over y at table t; CT is its transpose kept contiguous,
        # so that both a person's row and a table's column are cheap to read.
        self.CT = np.zeros((self.k, self.m), dtype=np.float64)
        for ti, t in enumerate(self.members):
            if t:
                self.CT[ti] = self.E[t].sum(axis=0)
        self.C = np.ascontiguousarray(self.CT.T)
        self.selfC = self.C[np.arange(self.m), self.tab]

    def _value_in(self, x: int, table: list[int]) -> float:
        mates = [y for y in table if y != x and self.allowed[x, y]]
        v = float(self.R[x, mates].max()) if mates else -np.inf
        return max(v, float(self.best[x]))

    def values(self) -> np.ndarray:
        return np.array([self._value_in(x, self.members[self.tab[x]]) for x in range(self.m)])

    def _delta(self, a: int) -> np.ndarray:
        A = self.tab[a]
        return (self.CT[A] - self.C[a, A]) + (self.C[a, self.tab] - self.selfC) - 2 * self.E[a]

    def _after(self, a: int, b: int) -> tuple[list[int], list[int]]:
        A, B = self.tab[a], self.tab[b]
        ta = [b if y == a else y for y in self.members[A]]
        tb = [a if y == b else y for y in self.members[B]]
        return ta, tb

    def _swap(self, a: int, b: int) -> None:
        A, B = int(self.tab[a]), int(self.tab[b])
        diff = self.E[:, b] - self.E[:, a]
        self.C[:, A] += diff
        self.C[:, B] -= diff
        self.CT[A] += diff
        self.CT[B] -= diff
        self.members[A], self.members[B] = self._after(a, b)
        self.tab[a], self.tab[b] = B, A
        for t in (A, B):
            self.selfC[self.members[t]] = self.CT[t, self.members[t]]

    def violations(self) -> int:
        """Pairs at the same table that may not sit together."""
        return sum(int(np.sum(np.triu(self.E[np.ix_(t, t)] <= -HARD / 2, 1)))
                   for t in self.members if len(t) > 1)

    # -- 1. seeding ----------------------------------------------------------------------
    def seed(self, *, method: str, fairness: bool, rng: np.random.Generator) -> list[list[int]]:
        tables: list[list[int]] = [[] for _ in self.sizes]
        room = list(self.sizes)
        for s in sorted(self.seeds, key=len, reverse=True):
            ti = max(range(self.k), key=lambda t: (room[t], -t))
            tables[ti].extend(s)
            room[ti] -= len(s)
        free = np.flatnonzero(~self.pinned)
        units: list[list[int]] = []
        if free.size:
            sub = np.ix_(free, free)
            E = np.where(self.allowed[sub], self.E[sub], NEG)
            np.fill_diagonal(E, NEG)
            pp = PairProblem(self.R[sub], self.allowed[sub], self.best[free], E)
            local = solve_pairs(pp, method="greedy" if method == "greedy" else "fast",
                                fairness=fairness, rng=rng, max_passes=3, tutte=False)
            if local is None:
                local = [[i] for i in range(free.size)]
            units = [[int(free[i]) for i in g] for g in local]
            for u in units:
                if len(u) == 2:
                    self.anchor[u[0]], self.anchor[u[1]] = u[1], u[0]

        def score(u: list[int]) -> float:
            return float(np.mean([self.E[a, b] for a in u for b in u if a < b])) if len(u) > 1 \
                else -np.inf

        units.sort(key=score, reverse=True)
        seat = np.full(self.m, -1, dtype=np.int64)
        for ti, t in enumerate(tables):
            seat[t] = ti
        room_arr = np.asarray(room)
        order = np.arange(self.k)

        def place(u: list[int]) -> bool:
            fits = np.flatnonzero(room_arr >= len(u))
            if fits.size == 0:
                return False
            seated = np.flatnonzero(seat >= 0)
            aff = np.bincount(seat[seated], weights=self.E[u][:, seated].sum(axis=0),
                              minlength=self.k)
            ti = int(fits[np.lexsort((order[fits], -room_arr[fits], -aff[fits]))[0]])
            tables[ti].extend(u)
            seat[u] = ti
            room_arr[ti] -= len(u)
            return True

        singles: list[int] = []
        for u in units:
            if len(u) == 1 or not place(u):
                singles.extend(u)
        for x in singles:
            place([x])
        return tables

    # -- 2. swaps ------------------------------------------------------------------------
    def _floor_ok(self, a: int, b: int, floor: float, a2: int = -1, b2: int = -1) -> bool:
        """Whether swapping ``a <-> b`` (and ``a2 <-> b2``) keeps everybody at the floor."""
        A, B = int(self.tab[a]), int(self.tab[b])
        out = {a: b, b: a} | ({a2: b2, b2: a2} if a2 >= 0 else {})
        for t in (A, B):
            table = [out.get(y, y) if self.tab[y] == t and y in out else y
                     for y in self.members[t]]
            for x in table:
                if self._value_in(x, table) < floor - EPS:
                    return False
        return True

    def _unit_move(self, a: int, floor: float, fairness: bool, min_gain: float) -> bool:
        """Swap ``a`` and its anchor partner with an intact anchor pair at another table."""
        a2 = int(self.anchor[a])
        if a2 < 0 or self.tab[a2] != self.tab[a] or self.pinned[a] or self.pinned[a2]:
            return False
        U1, U2 = self.units
        A = int(self.tab[a])
        B = self.tab[U1]
        ok = (B == self.tab[U2]) & (B != A)
        if not ok.any():
            return False
        v1, v2, B = U1[ok], U2[ok], B[ok]
        C, E = self.C, self.E
        x = E[a, v1] + E[a, v2] + E[a2, v1] + E[a2, v2]
        gain = (self.CT[A, v1] + self.CT[A, v2] - x - (C[a, A] + C[a2, A] - 2 * E[a, a2])
                + C[a, B] + C[a2, B] - x - (self.selfC[v1] + self.selfC[v2] - 2 * E[v1, v2]))
        cand = np.flatnonzero(gain > min_gain)
        for j in cand[np.argsort(-gain[cand], kind="stable")][:_TOP].tolist():
            b, b2 = int(v1[j]), int(v2[j])
            if gain[j] > HARD / 2 or not fairness or self._floor_ok(a, b, floor, a2, b2):
                self._swap(a, b)
                self._swap(a2, b2)
                return True
        return False

    def improve(self, *, fairness: bool, rng: np.random.Generator, max_passes: int,
                deadline: float | None, min_gain: float = EPS) -> int:
        """Swap pairs of people while the objective rises by more than ``min_gain``."""
        floor = float(self.values().min()) if fairness and self.m else -np.inf
        u1 = np.flatnonzero(self.anchor > np.arange(self.m))
        self.units = (u1, self.anchor[u1])
        swaps = 0
        for _ in range(max_passes):
            improved = False
            for a in rng.permutation(self.m).tolist():
                if self.pinned[a]:
                    continue
                if deadline is not None and time.perf_counter() > deadline:
                    return swaps
                if self.anchor[a] > a and self._unit_move(a, floor, fairness, min_gain):
                    swaps += 1
                    improved = True
                d = self._delta(a)
                d[self.tab == self.tab[a]] = -np.inf
                d[self.pinned] = -np.inf
                cand = np.flatnonzero(d > min_gain)
                if cand.size == 0:
                    continue
                for b in cand[np.argsort(-d[cand], kind="stable")][:_TOP].tolist():
                    if d[b] > HARD / 2 or not fairness or self._floor_ok(a, b, floor):
                        self._swap(a, b)
                        swaps += 1
                        improved = True
                        break
            if not improved:
                break
        return swaps

    # -- 3. raise the floor --------------------------------------------------------------
    def _raise_move(self, i: int, floor: float) -> tuple[int, int] | None:
        home = int(self.tab[i])
        good = np.flatnonzero((self.R[i] > floor + EPS) & self.allowed[i] & (self.tab != home)
                              & ~self.pinned)
        good = good[np.argsort(-self.R[i, good], kind="stable")][:_RAISE_CANDIDATES]
        moves: list[tuple[int, int]] = []
        for x in good.tolist():
            if not self.pinned[i]:
                moves += [(i, z) for z in self.members[self.tab[x]] if z != x and not self.pinned[z]]
            moves += [(y, x) for y in self.members[home] if y != i and not self.pinned[y]]
        best, best_gain = None, -np.inf
        for a, b in dict.fromkeys(moves):
            A, B = int(self.tab[a]), int(self.tab[b])
            gain = float(self._delta(a)[b])
            if gain < -HARD / 2:
                continue
            old = [self._value_in(x, self.members[t]) for t in (A, B) for x in self.members[t]]
            ta, tb = self._after(a, b)
            new = [self._value_in(x, t) for t in (ta, tb) for x in t]
            if min(new) < floor - EPS:
                continue
            if sum(v <= floor + EPS for v in new) >= sum(v <= floor + EPS for v in old):
                continue
            if gain > best_gain:
                best, best_gain = (a, b), gain
        return best

    def raise_floor(self, *, deadline: float | None, max_moves: int) -> int:
        moves = 0
        vals = self.values()
        while moves < max_moves:
            if deadline is not None and time.perf_counter() > deadline:
                break
            floor = float(vals.min())
            progressed = False
            for i in np.flatnonzero(vals <= floor + EPS).tolist():
                mv = self._raise_move(i, floor)
                if mv is None:
                    continue
                self._swap(*mv)
                for t in (self.tab[mv[0]], self.tab[mv[1]]):
                    for x in self.members[t]:
                        vals[x] = self._value_in(x, self.members[t])
                moves += 1
                progressed = True
                if moves >= max_moves:
                    break
            if not progressed:
                break
        return moves


    # -- 4. repair: min-conflicts search for seatings that break a hard rule ---------------
    def repair(self, *, rng: np.random.Generator, max_steps: int) -> bool:
        """Swap people to remove pairs that may not sit together (forbidden, or met when
        repeats are not allowed): min-conflicts with a little random walk. Returns whether
        no such pair is left."""
        H = (self.E <= -HARD / 2).astype(np.float64)
        np.fill_diagonal(H, 0.0)
        hc = np.zeros((self.m, self.k))
        for ti, t in enumerate(self.members):
            if t:
                hc[:, ti] = H[:, t].sum(axis=1)
        movable = ~self.pinned
        for _ in range(max_steps):
            own = hc[np.arange(self.m), self.tab]
            bad = np.flatnonzero((own > 0) & movable)
            if bad.size == 0:
                if np.all(own == 0):
                    break
                bad = np.flatnonzero(own > 0)
                others = [y for x in bad for y in self.members[self.tab[x]] if movable[y]]
                if not others:
                    return False
                bad = np.asarray(others)
            a = int(bad[rng.integers(bad.size)])
            A = self.tab[a]
            d = (hc[:, A] - H[:, a] - hc[a, A]) + (hc[a, self.tab] - H[a] - own)
            d[(self.tab == A) | ~movable] = np.inf
            if not np.isfinite(d).any():
                continue
            if rng.random() < 0.1:
                b = int(rng.choice(np.flatnonzero(np.isfinite(d))))
            else:
                low = np.flatnonzero(d == d.min())
                b = int(low[rng.integers(low.size)])
            B = int(self.tab[b])
            diff = H[:, b] - H[:, a]
            hc[:, A] += diff
            hc[:, B] -= diff
            self._swap(a, b)
        own = hc[np.arange(self.m), self.tab]
        return bool(np.all(own == 0))


def solve_tables(
    problem: TableProblem,
    *,
    method: str,
    fairness: bool,
    rng: np.random.Generator,
    max_passes: int = 10,
    time_limit: float | None = None,
) -> list[list[int]]:
    """Seat one round at tables; returns groups of local indices (always a full seating —
    the caller checks it for pairs that may not sit together)."""
    if problem.m == 0:
        return []
    if problem.k == 1:
        return [list(range(problem.m))]
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    tables = problem.seed(method=method, fairness=fairness, rng=rng)
    problem._init_state(tables)
    if method == "greedy":  # seeding only, plus swaps that split a pair that may not sit together
        problem.improve(fairness=False, rng=rng, max_passes=max_passes, deadline=None,
                        min_gain=HARD / 2)
    else:
        problem.improve(fairness=fairness, rng=rng, max_passes=max_passes, deadline=deadline)
        if fairness:
            problem.raise_floor(deadline=deadline, max_moves=2 * problem.m)
            problem.improve(fairness=fairness, rng=rng, max_passes=max_passes,
                            deadline=deadline)
    if problem.violations():
        problem.repair(rng=rng, max_steps=200 * problem.m)
        if method != "greedy":
            problem.improve(fairness=fairness, rng=rng, max_passes=max_passes,
                            deadline=deadline)
    return [sorted(int(x) for x in t) for t in problem.members]
