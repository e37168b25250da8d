"""Candidate generators: which members to score exactly for a query.

Small communities score everyone (:class:`AllCandidates`). Above :data:`ANN_THRESHOLD`
members, :class:`AnnCandidates` proposes the union of four approximate nearest-neighbour
searches (faiss HNSW, inner product): whose offers and seeks together fit my seeks and offers
(the sum of both directions, a proxy for the mutual fit the score is built on), whose offers
answer my seeks, whose seeks my offers answer, and whose specialty is close to mine (referral
partners). The
candidates are then scored exactly, so the ranking among them is the exact one.
"""

from __future__ import annotations

import numpy as np

ANN_THRESHOLD = 20_000


class AllCandidates:
    def fit(self, matrix) -> AllCandidates:
        self.n_ = len(matrix)
        return self

    def candidates(self, i: int) -> np.ndarray:
        return np.arange(self.n_)


class AnnCandidates:
    """Parameters
    ----------
    per_side : int
        Neighbours taken from each of the three searches.
    m, ef_search : int
        HNSW graph degree and search breadth (recall against speed).
    """

    def __init__(self, *, per_side: int = 400, m: int = 32, ef_search: int = 500):
        self.per_side = per_side
        self.m = m
        self.ef_search = ef_search

    def fit(self, matrix) -> AnnCandidates:
        import faiss

        faiss.omp_set_num_threads(2)
        self.matrix_ = matrix
        self.indexes_ = {}
        data = {"offers": matrix.offers, "seeks": matrix.seeks, "specialty": matrix.specialty,
                "mutual": np.hstack([matrix.offers, matrix.seeks])}
        for side, vectors in data.items():
            index = faiss.IndexHNSWFlat(vectors.shape[1], self.m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 64
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
            index.hnsw.efSearch = self.ef_search
            self.indexes_[side] = index
        return self

    def candidates(self, i: int) -> np.ndarray:
        m = self.matrix_
        queries = (("mutual", np.concatenate([m.seeks[i], m.offers[i]])),
                   ("offers", m.seeks[i]), ("seeks", m.offers[i]), ("specialty", m.specialty[i]))
        found = []
        for side, q in queries:
            _, ids = self.indexes_[side].search(q[None, :].astype(np.float32), self.per_side)
            found.append(ids[0][ids[0] >= 0])
        return np.unique(np.concatenate(found))


def generator_for(n: int):
    return AnnCandidates() if n > ANN_THRESHOLD else AllCandidates()
