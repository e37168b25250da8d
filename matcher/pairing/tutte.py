"""A fast test for "does this graph have a perfect matching?" (randomised, one-sided).

Tutte's theorem: a graph has a perfect matching iff its Tutte matrix (``x_ij`` above the
diagonal for each edge, ``-x_ij`` below) is non-singular. Filling the ``x_ij`` with random
values modulo a prime and eliminating gives the answer with error probability at most
``m / p`` (here ``p = 2**31 - 1``), and only in one direction: a "yes" is always right.
It costs ``O(m^3)`` vectorised integer work, a few milliseconds for 200 vertices, where a
networkx matching in pure Python takes seconds.
"""

from __future__ import annotations

import numpy as np

PRIME = 2_147_483_647  # 2**31 - 1: products of two residues fit in int64


def has_perfect_matching(adj: np.ndarray, rng: np.random.Generator) -> bool:
    """Whether the graph with boolean adjacency ``adj`` has a perfect matching.

    Parameters
    ----------
    adj : ndarray of bool, shape (m, m)
        Symmetric adjacency; the diagonal is ignored.
    rng : numpy.random.Generator
        Source of the random evaluation point (seeded by the caller, so runs repeat).

    Returns
    -------
    bool
        ``True`` means a perfect matching certainly exists; ``False`` means it almost
        certainly does not (error probability <= m / 2**31).
    """
    m = adj.shape[0]
    if m == 0:
        return True
    if m % 2:
        return False
    upper = np.triu(adj, 1)
    if not np.all(upper.any(axis=0) | upper.any(axis=1)):
        return False  # an isolated vertex
    t = np.zeros((m, m), dtype=np.int64)
    t[upper] = rng.integers(1, PRIME, size=int(upper.sum()), dtype=np.int64)
    t = (t - t.T) % PRIME
    for col in range(m):
        nz = np.flatnonzero(t[col:, col])
        if nz.size == 0:
            return False
        piv = col + int(nz[0])
        if piv != col:
            t[[col, piv], col:] = t[[piv, col], col:]
        inv = pow(int(t[col, col]), PRIME - 2, PRIME)
        row = (t[col, col:] * inv) % PRIME
        below = t[col + 1 :, col]
        rows = np.flatnonzero(below)
        if rows.size:
            r = col + 1 + rows
            t[r, col:] = (t[r, col:] - (below[rows, None] * row[None, :]) % PRIME) % PRIME
    return True
