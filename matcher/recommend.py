"""Who should I meet, whom can I help, and whom could I introduce to each other.

Every function works on a fitted :class:`~matcher.scoring.PairScorer` and returns plain dicts
(one shape everywhere): ``member_id``, ``name``, ``score``, ``relation``, ``reasons``,
``components``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .needs_first import reserve
from .reasons import answer_sentence, claimed, first_name, pair_reasons

DIVERSITY = 0.3  # MMR weight: how much a candidate loses for resembling one already picked
POOL = 5  # MMR looks at the POOL * k best-scoring candidates
FIRST = 256  # best_scored scores at least this many candidates (best base scores) in full,
# and every candidate when there are at most 4 * FIRST
SLACK = 1e-9  # the bound adds the bonus in another floating-point step than the score
EXPOSURE_SHARE = 0.25  # nobody is recommended to more than max(2k, 25% of members)


def exposure_cap(n: int, k: int) -> int:
    return max(2 * k, math.ceil(EXPOSURE_SHARE * n))


def exposure_allowed(scorer, k: int, excluded: Callable[[int], np.ndarray], *,
                     S: np.ndarray, R: np.ndarray, max_passes: int = 10) -> np.ndarray:
    """allowed[i, j]: j may be recommended to i under the exposure cap.

    Ranks every member's list, and while someone appears in more lists than the cap, keeps
    them only in the lists of the ``cap`` members who score them highest; repeats, since the
    freed places go to others, until no one is over the cap.
    """
    n = len(scorer.matrix_)
    cap = exposure_cap(n, k)
    allowed = np.ones((n, n), bool)
    # rank each list as recommend does: by i's directional scores when the scorer kept them
    # (PairScorer.score_matrix); S holds the mean of both directions, one score per pair
    D = getattr(scorer, "directional_", None)
    if D is not None and D.shape == S.shape:
        S = D
    excl = [excluded(i) for i in range(n)]
    everyone = np.arange(n)
    for _ in range(max_passes):
        lists = {}
        for i in range(n):
            js = everyone[everyone != i]
            lists[i] = rank(scorer, i, k, candidates=js, excluded=excl[i], allowed=allowed[i],
                            scored=(S[i, js], R[i, js], None))
        holders: dict[int, list[tuple[float, int]]] = {}
        for i, picked in lists.items():
            for j, s in picked:
                holders.setdefault(j, []).append((s, i))
        over = {j: h for j, h in holders.items() if len(h) > cap}
        if not over:
            break
        for j, h in over.items():
            for _, i in sorted(h, reverse=True)[cap:]:
                allowed[i, j] = False
    return allowed


def rank(scorer, i: int, k: int, *, candidates: np.ndarray | None = None,
         excluded: np.ndarray | None = None, allowed: np.ndarray | None = None,
         allow_competitors: bool = False, diversity: float = DIVERSITY,
         scored: tuple | None = None) -> list[tuple[int, float]]:
    """The top ``k`` rows for member ``i`` as (row, score): exclusions, then the best answer to
    each of i's stated needs (:func:`matcher.needs_first.reserve`), then MMR diversity.

    ``scored``: (scores, relations, _) of ``i`` against the candidates, if already known (the
    n x n matrix); else they are computed by :func:`best_scored`.
    """
    n = len(scorer.matrix_)
    js = np.arange(n) if candidates is None else np.asarray(candidates, dtype=int)
    js = js[js != i]
    keep = ~scorer.same_company(i, js)
    keep &= ~scorer.opt_out_[js]
    if excluded is not None:
        keep &= ~excluded[js]
    if allowed is not None:
        keep &= allowed[js]
    if scored is not None:
        scores, rel = scored[0], scored[1]
        if not allow_competitors:
            keep &= rel != "competitor"
        # diversity only reorders: the best POOL*k by score suffice
        idx = _top(np.flatnonzero(keep), scores, POOL * k)
    else:
        idx, scores = best_scored(scorer, i, js, keep, POOL * k,
                                  allow_competitors=allow_competitors)
    picked = reserve(scorer, i, js, idx, k)  # each stated need's best answer first
    idx = idx[~np.isin(idx, picked)]
    spec = scorer.matrix_.specialty
    while idx.size and len(picked) < k:
        adj = scores[idx].copy()
        if picked and diversity > 0:
            sim = spec[js[idx]] @ spec[js[picked]].T
            adj -= diversity * np.clip(sim.max(axis=1), 0, None)
        best = int(idx[int(np.argmax(adj))])
        picked.append(best)
        idx = idx[idx != best]
    return [(int(js[p]), float(scores[p])) for p in picked]


def best_scored(scorer, i: int, js: np.ndarray, keep: np.ndarray, m: int, *,
                allow_competitors: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(positions, scores): the ``m`` best-scoring kept candidates ``js`` of member ``i``
    (competitors left out, ties to the earlier position), exactly as scoring every pair
    gives, but reading the late components (:data:`~matcher.scoring.LATE`) and the relation
    only for pairs that can still make the cut.

    Every kept pair gets its other components, and so its base score, in one vectorised
    pass. A pair's score is its base score plus the referral bonus times P(referral-partner)
    (:class:`~matcher.pairs.model.PairModel`), so it lies between the base score and the base
    score plus the bonus. The ``FIRST`` best by base score (every pair, when there are at
    most ``4 * FIRST``) are scored in full; their ``m``-th best score is a floor that the
    final ``m``-th best can only rise from, and only the pairs whose base score plus the
    bonus reaches it are scored in full too. ``scores`` has the full score at the scored
    positions (-inf elsewhere).

    (A tighter bound, interval arithmetic on the relation model's logits with the offers
    cosine in its range, was measured and dropped: it costs about what scoring the pairs
    does, since it reads every other feature, and left about three quarters of the pairs
    this bound leaves to score at 10,000 members.)
    """
    kept = np.flatnonzero(keep)
    scores = np.full(len(js), -np.inf)
    if not kept.size:
        return kept, scores
    c = scorer.components(i, js[kept], late=False)
    upper = (base := scorer.base_scores(c)) + max(scorer._model().referral_bonus, 0.0)

    def score(rows):  # rows: positions in kept
        if rows.size:
            part = scorer.complete(i, js[kept[rows]], {k: v[rows] for k, v in c.items()})
            s, rel, _ = scorer.score_components(part)
            scores[kept[rows]] = (s if allow_competitors
                                  else np.where(rel == "competitor", -np.inf, s))

    if kept.size <= 4 * FIRST:  # few: one batch costs less than two
        score(np.arange(kept.size))
        return _top(np.flatnonzero(np.isfinite(scores)), scores, m), scores
    first = _top(np.arange(kept.size), base, max(FIRST, 4 * m))
    score(first)
    rest = upper + SLACK >= _floor(scores, m)
    rest[first] = False
    score(np.flatnonzero(rest))
    return _top(np.flatnonzero(np.isfinite(scores)), scores, m), scores


def _floor(scores: np.ndarray, m: int) -> float:
    """The ``m``-th best finite score (-inf with fewer)."""
    good = scores[np.isfinite(scores)]
    return float(np.partition(good, -m)[-m]) if good.size >= m else -np.inf


def _top(rows: np.ndarray, key: np.ndarray, t: int) -> np.ndarray:
    """The ``t`` of ``rows`` (ascending) with the highest ``key``, highest first, ties to the
    earlier row: the same rows in the same order whatever other rows are passed with lower
    keys (what keeps a pruned ranking equal to the full one when scores tie)."""
    if t < len(rows):
        k = key[rows]
        kth = np.partition(k, len(rows) - t)[len(rows) - t]
        above = np.flatnonzero(k > kth)
        tied = np.flatnonzero(k == kth)[: t - len(above)]  # the earliest of those tied
        rows = rows[np.sort(np.r_[above, tied])]
    return rows[np.lexsort((rows, -key[rows]))]


def recommend(scorer, i: int, k: int = 10, *, candidates: np.ndarray | None = None,
              excluded: np.ndarray | None = None, allowed: np.ndarray | None = None,
              allow_competitors: bool = False, diversity: float = DIVERSITY) -> list[dict]:
    """Top ``k`` introductions for member row ``i``, with relation, reasons and components.

    candidates : rows to consider (all members by default); excluded : bool mask over all rows
    (history, blocks); allowed : bool row of the exposure cap (:func:`exposure_allowed`).
    """
    picked = rank(scorer, i, k, candidates=candidates, excluded=excluded, allowed=allowed,
                  allow_competitors=allow_competitors, diversity=diversity)
    if not picked:
        return []
    rows = np.array([j for j, _ in picked])
    scores, rel, comp = scorer.score_rows(i, rows)
    plain = {name: [_plain(x) for x in np.asarray(v).tolist()] for name, v in comp.items()}
    return [_row(scorer, i, int(j), float(scores[p]), str(rel[p]),
                 {name: v[p] for name, v in plain.items()}) for p, j in enumerate(rows)]


def explain(scorer, i: int, j: int) -> dict:
    """Relation, score, every component and the reasons for the pair (i, j)."""
    scores, rel, comp = scorer.score_rows(i, np.array([j]))
    row = _row(scorer, i, j, float(scores[0]), str(rel[0]),
               {name: _plain(v[0]) for name, v in comp.items()})
    row["same_company"] = bool(scorer.same_company(i, np.array([j]))[0])
    return row


def helpable(scorer, i: int, k: int = 10) -> list[dict]:
    """Members with a seek that member ``i`` answers (an offer or who they are) with a fit
    the reasons may claim, best first."""
    m = scorer.matrix_
    js = np.flatnonzero((scorer.seek_phrases_.counts > 0) & (np.arange(len(m)) != i))
    if not len(js):
        return []
    scores, rel, comp = scorer.score_rows(i, js)
    order = np.argsort(-comp["fit_ba"], kind="stable")
    out = []
    for p in order:
        if len(out) == k:
            break
        j = int(js[p])
        ans = claimed(scorer, j, i)
        if ans is None:
            continue
        out.append({"member_id": m.members[j].id, "name": m.members[j].name,
                    "score": round(float(comp["fit_ba"][p]), 4), "relation": str(rel[p]),
                    "reasons": [answer_sentence(ans, "You", first_name(m.members[j].name),
                                                you_answer=True)]})
    return out


def introductions(scorer, S: np.ndarray | None, R: np.ndarray | None, i: int, met: list[int], *,
                  met_pairs: set[tuple[int, int]], k: int = 10, min_score: float = 0.35) -> list[dict]:
    """Pairs of people member ``i`` has met who have not met each other and should.

    ``S``, ``R``: the n x n scores and relations, or None (large communities keep no such
    matrix): then only the pairs among ``met`` are scored, as the matrix would hold them.
    """
    m = scorer.matrix_
    if S is None or R is None:
        S, R = _met_scores(scorer, met)
    else:  # the same pairs, cut out of the matrix: positions in ``met`` from here on
        S, R = S[np.ix_(met, met)], R[np.ix_(met, met)]
    out = []
    for p, a in enumerate(met):
        for q in range(p + 1, len(met)):
            b = met[q]
            if (min(a, b), max(a, b)) in met_pairs or R[p, q] == "competitor" or S[p, q] < min_score:
                continue
            out.append((S[p, q], a, b))
    out.sort(key=lambda t: -t[0])
    rows = []
    for s, a, b in out[:k]:
        _, rel, comp = scorer.score_rows(a, np.array([b]))
        reasons = pair_reasons(scorer, a, b, str(rel[0]), {n: v[0] for n, v in comp.items()},
                               third_person=True)
        na, nb = m.members[a].name, m.members[b].name
        rows.append({
            "a": {"member_id": m.members[a].id, "name": na},
            "b": {"member_id": m.members[b].id, "name": nb},
            "score": round(float(s), 4), "relation": str(rel[0]),
            "reasons": reasons,
            "pitch": f"{na} should meet {nb}: " + (reasons[0] if reasons else ""),
        })
    return rows


def _met_scores(scorer, rows: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(scores, relations) among ``rows`` only, as :meth:`PairScorer.score_matrix` gives them."""
    idx = np.asarray(rows, dtype=int)
    S = np.zeros((len(idx), len(idx)))
    R = np.full((len(idx), len(idx)), "self", dtype=object)
    for p, a in enumerate(idx):
        S[p], R[p] = scorer.score_rows(int(a), idx)[:2]
    return (S + S.T) / 2, R


def _row(scorer, i: int, j: int, score: float, relation: str, comp: dict) -> dict:
    b = scorer.matrix_.members[j]
    return {"member_id": b.id, "name": b.name, "score": round(score, 4), "relation": relation,
            "reasons": pair_reasons(scorer, i, j, relation, comp), "components": comp}


def _plain(v):
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    return round(float(v), 4)  # tolist() gives Python numbers: the same rounding


def entry_bar(scorer, picked: list[int], scores: list[float], *,
              diversity: float = DIVERSITY) -> float:
    """The lowest adjusted score at which :func:`rank` took any of ``picked`` (rows in the
    order taken, with their scores): a candidate scoring below it is never taken, and taking
    it out of the pool changes no pick (see :mod:`matcher.refresh`)."""
    if not picked:
        return -np.inf
    adj = np.asarray(scores, dtype=float).copy()
    if diversity > 0 and len(picked) > 1:
        spec = scorer.matrix_.specialty[np.asarray(picked, dtype=int)]
        sim = np.clip(spec @ spec.T, 0, None)
        for t in range(1, len(picked)):
            adj[t] -= diversity * sim[t, :t].max()
    return float(adj.min())
