"""1:1 building blocks: exact blossom matching, greedy matching on candidate lists, augmenting
repair, 2-opt improvement, and seating the odd one out in a trio.

Everything works on *local* indices ``0..m-1`` of one round's pool and on dense matrices:

``E``
    the objective weights (pair score plus fairness boost); ``NEG`` marks an unusable pair.
``usable``
    which pairs may be seated together at the current fairness threshold.

A matching is a ``mate`` array: ``mate[i]`` is ``i``'s partner or ``-1``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

NEG = -1e9  # an unusable pair: far below any sum of real scores, and no inf - inf = nan
EPS = 1e-9
_BLOCK = 64  # pairs whose 2-opt gains are computed in one vectorised batch

RowFn = Callable[[np.ndarray], np.ndarray]  # rows of the usable matrix for some vertices


def pairs_of(mate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The matched pairs of ``mate`` as two arrays ``a < b``."""
    a = np.flatnonzero(mate > np.arange(len(mate)))
    return a, mate[a]


def exact_matching(E: np.ndarray, usable: np.ndarray, *, single: bool = False,
                   not_single: tuple[int, ...] = ()) -> np.ndarray:
    """Maximum-weight maximum-cardinality matching (networkx blossom) on the usable pairs.

    Parameters
    ----------
    E : ndarray, shape (m, m)
        Pair weights.
    usable : ndarray of bool, shape (m, m)
        Pairs that may be matched.
    single : bool, default False
        Add a dummy vertex joined to everybody with weight 0, so that for odd ``m`` the
        person left over is the one whose absence costs least.
    not_single : tuple of int
        People who must not be the one left over.

    Returns
    -------
    ndarray of int
        ``mate`` (``-1`` for the unmatched; the dummy is never reported).
    """
    m = E.shape[0]
    g = nx.Graph()
    g.add_nodes_from(range(m))
    ii, jj = np.nonzero(np.triu(usable, 1))
    g.add_weighted_edges_from(zip(ii.tolist(), jj.tolist(), E[ii, jj].astype(float).tolist(),
                                  strict=True))
    if single:
        g.add_weighted_edges_from((m, i, 0.0) for i in range(m) if i not in not_single)
    mate = np.full(m, -1, dtype=np.int64)
    for a, b in nx.max_weight_matching(g, maxcardinality=True):
        if a < m and b < m:
            mate[a], mate[b] = b, a
    return mate


def candidate_edges(E: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each vertex's ``k`` best partners by ``E`` (usable or not), as edges ``i < j``.

    Uses ``np.argpartition`` per row: ``O(m^2)`` instead of sorting all ``m^2 / 2`` edges.
    """
    m = E.shape[0]
    k = min(k, m - 1)
    if k <= 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    step = max(1, 2_000_000 // m)
    rows, cols = [], []
    for lo in range(0, m, step):
        block = E[lo : lo + step]
        idx = np.argpartition(-block, k, axis=1)[:, : k + 1]  # k + 1: the diagonal may be in
        r = np.repeat(np.arange(lo, lo + block.shape[0]), k + 1)
        rows.append(r)
        cols.append(idx.ravel())
    i = np.concatenate(rows)
    j = np.concatenate(cols)
    keep = i != j
    i, j = np.minimum(i[keep], j[keep]), np.maximum(i[keep], j[keep])
    key = np.unique(i * m + j)
    return key // m, key % m


def greedy_matching(E: np.ndarray, ci: np.ndarray, cj: np.ndarray) -> np.ndarray:
    """Greedy matching: take candidate edges by decreasing weight while both ends are free.

    Ties are broken by edge index, so the result is deterministic.
    """
    m = E.shape[0]
    mate = np.full(m, -1, dtype=np.int64)
    if ci.size == 0:
        return mate
    w = E[ci, cj]
    order = np.argsort(-w, kind="stable")
    left = m // 2
    for a, b in zip(ci[order].tolist(), cj[order].tolist(), strict=True):
        if mate[a] < 0 and mate[b] < 0:
            mate[a], mate[b] = b, a
            left -= 1
            if left == 0:
                break
    return mate


def _best_alternation(cyc: np.ndarray, E: np.ndarray) -> list[tuple[int, int]]:
    """The heaviest set of alternate edges around one cycle of an assignment."""
    L = len(cyc)
    e = E[cyc, np.roll(cyc, -1)].astype(np.float64)  # e[i] = edge (cyc[i], cyc[i+1])
    h = L // 2
    if L % 2 == 0:
        start = 0 if e[0::2].sum() >= e[1::2].sum() else 1
    else:  # leave out one vertex j; edges then start at j + 1, every other one, h of them
        ee = np.concatenate([e, e])
        sums = [np.cumsum(np.concatenate([[0.0], ee[p::2]])) for p in (0, 1)]
        o = np.arange(1, L + 1)
        par, q = o % 2, o // 2
        tot = np.where(par == 0, sums[0][np.minimum(q + h, len(sums[0]) - 1)] - sums[0][q],
                       sums[1][np.minimum(q + h, len(sums[1]) - 1)] - sums[1][q])
        start = int(o[int(np.argmax(tot))])
    return [(int(cyc[(start + 2 * i) % L]), int(cyc[(start + 2 * i + 1) % L])) for i in range(h)]


def assignment_matching(E: np.ndarray, ci: np.ndarray, cj: np.ndarray) -> np.ndarray | None:
    """Matching from a maximum-weight assignment on the candidate edges (both directions).

    The assignment relaxes matching (it is a cover by cycles); 2-cycles are pairs, and each
    longer cycle contributes its heavier set of alternate edges (an odd cycle leaves one
    vertex out). On score matrices this is typically within a fraction of a percent of the
    optimum, at the cost of one sparse LAPJV solve. Returns ``None`` only if the solver
    fails.
    """
    m = E.shape[0]
    if ci.size == 0:
        return None
    w = E[ci, cj].astype(np.float64)
    # Integral costs (micro-units): scipy's LAPJVsp can loop forever on some float inputs,
    # and integers below 2**53 are exact in float64. Strictly positive: no dropped zeros.
    w = np.round(w * 1e6)
    top = w.max() + 1e6
    cost = top - np.concatenate([w, w])
    # Self-loops (cost as for a weight-0 pair) let anybody stay out, so an assignment always
    # exists; whoever does is matched afterwards.
    diag = np.arange(m)
    g = sp.csr_matrix((np.concatenate([cost, np.full(m, top)]),
                       (np.concatenate([ci, cj, diag]), np.concatenate([cj, ci, diag]))),
                      shape=(m, m))
    try:
        rows, cols = min_weight_full_bipartite_matching(g)
    except ValueError:
        return None
    perm = np.full(m, -1, dtype=np.int64)
    perm[rows] = cols
    mate = np.full(m, -1, dtype=np.int64)
    seen = np.zeros(m, dtype=bool)
    for s in range(m):
        if seen[s]:
            continue
        cyc = [s]
        seen[s] = True
        v = int(perm[s])
        while v != s and v >= 0 and not seen[v]:
            cyc.append(v)
            seen[v] = True
            v = int(perm[v])
        if len(cyc) < 2:
            continue
        if len(cyc) == 2:
            pairs = [(cyc[0], cyc[1])]
        else:
            pairs = _best_alternation(np.asarray(cyc), E)
        for a, b in pairs:
            mate[a], mate[b] = b, a
    return mate


def _augmenting_path(u: int, mate: np.ndarray, rows: RowFn) -> bool:
    """Find and apply an augmenting path from free vertex ``u`` (alternating BFS).

    The search does not shrink blossoms, so it can miss a path in graphs with awkward odd
    cycles; every path it does find is valid. Returns whether ``u`` got matched.
    """
    m = len(mate)
    parent = np.full(m, -1, dtype=np.int64)
    visited = np.zeros(m, dtype=bool)
    visited[u] = True
    frontier = np.array([u])
    while frontier.size:
        reach = rows(frontier) & ~visited[None, :]
        cols = np.flatnonzero(reach.any(axis=0))
        if cols.size == 0:
            return False
        parent[cols] = frontier[np.argmax(reach[:, cols], axis=0)]
        hits = cols[mate[cols] < 0]
        if hits.size:
            cur = int(hits[0])
            while True:
                e = int(parent[cur])
                prev = int(mate[e])
                mate[cur], mate[e] = e, cur
                if e == u:
                    return True
                cur = prev
        visited[cols] = True
        frontier = mate[cols]
        visited[frontier] = True
    return False


def augment(mate: np.ndarray, rows: RowFn, *, leave: int = 0) -> int:
    """Grow ``mate`` by augmenting paths until at most ``leave`` vertices are unmatched.

    Returns the number still unmatched.
    """
    for u in np.flatnonzero(mate < 0).tolist():
        if int(np.sum(mate < 0)) <= leave:
            break
        if mate[u] < 0:
            _augmenting_path(u, mate, rows)
    return int(np.sum(mate < 0))


def two_opt(
    A: np.ndarray,
    B: np.ndarray,
    E: np.ndarray,
    *,
    rng: np.random.Generator,
    max_passes: int = 20,
    deadline: float | None = None,
) -> int:
    """Improve pairs ``(A[p], B[p])`` in place by 2-opt exchanges; returns swaps made.

    For pairs ``(a, b)`` and ``(c, d)`` try ``(a, c), (b, d)`` and ``(a, d), (b, c)``; gains
    of one batch of pairs against all others are computed at once with numpy. Stops at a local
    optimum, after ``max_passes`` passes, or at ``deadline`` (``time.perf_counter`` value).
    """
    q = len(A)
    if q < 2:
        return 0
    pw = E[A, B].astype(np.float64)
    swaps = 0
    idx = np.arange(_BLOCK)

    def gains(P: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ea, eb = E[A[P]], E[B[P]]
        base = pw[P][:, None] + pw[None, :]
        g1 = ea[:, A] + eb[:, B] - base  # (a, c), (b, d)
        g2 = ea[:, B] + eb[:, A] - base  # (a, d), (b, c)
        g = np.maximum(g1, g2)
        g[np.arange(len(P)), P] = -np.inf
        o = np.argmax(g, axis=1)
        r = np.arange(len(P))
        return o, g[r, o], g2[r, o] > g1[r, o]

    for _ in range(max_passes):
        improved = False
        order = rng.permutation(q)
        for lo in range(0, q, _BLOCK):
            if deadline is not None and time.perf_counter() > deadline:
                return swaps
            P = order[lo : lo + _BLOCK]
            best_o, best_g, cross = gains(P)
            touched: set[int] = set()
            for r in idx[: len(P)][best_g > EPS].tolist():
                p, o, x = int(P[r]), int(best_o[r]), bool(cross[r])
                if p in touched or o in touched:
                    oo, gg, xx = gains(np.array([p]))
                    if gg[0] <= EPS:
                        continue
                    o, x = int(oo[0]), bool(xx[0])
                b, c, d = B[p], A[o], B[o]
                if x:
                    B[p], A[o], B[o] = d, b, c
                else:
                    B[p], A[o], B[o] = c, b, d
                pw[p], pw[o] = E[A[p], B[p]], E[A[o], B[o]]
                touched.update((p, o))
                swaps += 1
                improved = True
        if not improved:
            break
    return swaps


def insert_single(
    x: int,
    groups: list[list[int]],
    E: np.ndarray,
    ok_with: np.ndarray,
    fair_ok: np.ndarray | None = None,
) -> int | None:
    """Pick the pair that single ``x`` joins to form the trio; returns its index or ``None``.

    Parameters
    ----------
    x : int
        The person left over.
    groups : list of list of int
        Candidate pairs.
    E : ndarray
        Objective weights; the chosen pair maximises ``E[x, a] + E[x, b]``.
    ok_with : ndarray of bool, shape (m,)
        Whom ``x`` may sit with (not forbidden, not met before).
    fair_ok : ndarray of bool, shape (m,), optional
        Partners that would give ``x`` a good-enough introduction; if given, at least one of
        the two must be one.
    """
    best, best_val = None, -np.inf
    for gi, g in enumerate(groups):
        if len(g) != 2 or not (ok_with[g[0]] and ok_with[g[1]]):
            continue
        if fair_ok is not None and not (fair_ok[g[0]] or fair_ok[g[1]]):
            continue
        val = float(E[x, g[0]] + E[x, g[1]])
        if val > best_val:
            best, best_val = gi, val
    return best
