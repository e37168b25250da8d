"""Each stated need gets its best answer among a member's recommendations.

A member who wrote "a lawyer to review our SAFE notes; a mobile developer for the MVP" expects
to meet someone for each. The pair score ranks candidates by their best answer to any of the
seeker's needs, plus reciprocity and the referral bonus, so one need with several good answers,
or a few likely referral partners, can fill every place. :func:`reserve` therefore takes, for
each seek in turn (best-answered first), the candidates who answer it best (two per seek, the
second ones only while two places are left for the rest), before the rest of the list is
filled by score: when an answer is at least :attr:`NeedFit.answer_level_` (the
fit a typical wrong answer reaches on the hand-written development rows: anything below is no
better than chance). Outside-style members often write one line, whose right answers have
modest fits (cosine 0.3-0.5), yet are the best the community has.

The reserve reads only the seeker's seeks and each candidate's texts, so an edit of member X
can change who is reserved for seeker A only if X answers one of A's seeks at the level, before
or after the edit (:func:`reached`), and then only if X would be taken: every answer the
reserve takes is in A's list, so running it on A's list plus X tells (:func:`reserve_changes`;
both are what :mod:`matcher.refresh` uses).
"""

from __future__ import annotations

import numpy as np

from .scoring import _dots

ANSWERS_PER_NEED = 2  # the best answer by fit is, often enough, a decoy sharing the seek's words
KEEP_FOR_SCORE = 2  # places the later rounds leave to the rest of the score (referral partners)


def seek_fits(scorer, i: int, js: np.ndarray) -> np.ndarray:
    """P(right answer) of each of ``js`` for each of i's seek phrases, shape (n_seeks, len(js)),
    judged on everything the candidate says they do (the trade text: headline, specialty and
    offers as one), not on their best single phrase: one short offer sharing the seek's words
    ("braided rugs" for "a braider") outscores a whole profile that answers the need, while
    the whole text dilutes it. 0 where the candidate may not answer (a seller's seek naming
    their own customers is not answered by serving them too)."""
    js = np.asarray(js, dtype=int)
    allowed = np.isfinite(scorer.answer_cosines(i, js))
    # row by row: a pair's fit has the same bits whoever else is asked (reserve_changes
    # compares runs over different candidate sets)
    cos = _dots(scorer.matrix_.trade, scorer.seek_phrases_.of(i), js).T
    return np.where(allowed, scorer.need_fit_.proba(cos), 0.0)


def reserve(scorer, i: int, js: np.ndarray, pool: np.ndarray, k: int) -> list[int]:
    """Positions (into ``js``, from ``pool``) of the best :data:`ANSWERS_PER_NEED` answers to
    each of i's seeks, in rounds (every seek's best, best answered seek first, then every
    seek's next best), each at least the answer level; the later rounds leave
    :data:`KEEP_FOR_SCORE` places of the ``k`` to the rest of the score. A candidate answering
    two seeks is taken once (the other seek then takes its best other answer)."""
    if not len(pool) or not scorer.seek_phrases_.counts[i] or k <= 0:
        return []
    P = seek_fits(scorer, i, js[pool])
    level = scorer.need_fit_.answer_level_
    order = np.argsort(-P, axis=1, kind="stable")
    seeks = np.argsort(-P.max(axis=1), kind="stable")
    taken: list[int] = []
    for r in range(ANSWERS_PER_NEED):
        limit = k if r == 0 else max(len(taken), k - KEEP_FOR_SCORE)
        for s in seeks:
            if len(taken) >= limit:
                break
            for p in order[s]:
                if P[s, p] < level:
                    break
                if int(pool[p]) not in taken:
                    taken.append(int(pool[p]))
                    break
    return taken


def reached(scorer, xs: np.ndarray) -> np.ndarray:
    """Bool per member: some seek of theirs is answered by one of ``xs`` (specialty, trade
    text or an offer) at least at the answer level, by cosine alone (so also where the pair
    rules would forbid the answer: the test may only err towards "reached")."""
    m = scorer.matrix_
    n = len(m)
    seeks = scorer.seek_phrases_
    if not len(seeks.vectors) or not len(xs):
        return np.zeros(n, dtype=bool)
    answers = [m.specialty[xs], m.trade[xs]]
    rows, _ = scorer.offer_phrases_.rows(np.asarray(xs, dtype=int))
    if len(rows):
        answers.append(scorer.offer_phrases_.vectors[rows])
    best = (seeks.vectors @ np.concatenate(answers).T).max(axis=1)
    hit = scorer.need_fit_.proba(best) >= scorer.need_fit_.answer_level_ - 1e-9
    owner = np.repeat(np.arange(n), seeks.counts)
    out = np.zeros(n, dtype=bool)
    out[owner[hit]] = True
    return out


def reserve_changes(old, new, a: int, rows: np.ndarray, xs: np.ndarray, k: int) -> bool:
    """Whether the edit of members ``xs`` (``old`` and ``new`` scorers) can change what
    :func:`reserve` takes for member ``a``, whose answer (under ``old``) holds ``rows``.

    Each step of the reserve takes a seek's best answer not yet taken; in the run that gave
    the answer those were all in ``rows`` (so the seeks' order, by their best answer, is the
    same on ``rows`` alone). With ``xs`` edited, the run is the same up to the first step that
    takes one of them, and that step takes it also when the pool is only ``rows`` and ``xs``:
    the reserve changes if and only if the run on ``rows`` and ``xs`` differs from the run on
    ``rows``."""
    rows = np.asarray(rows, dtype=int)
    xs = np.asarray([x for x in xs if x != a and x not in set(rows.tolist())], dtype=int)
    before = reserve(old, a, rows, np.arange(len(rows)), k)
    both = np.concatenate([rows, xs])
    after = reserve(new, a, both, np.arange(len(both)), k)
    return [int(both[p]) for p in after] != [int(rows[p]) for p in before]

