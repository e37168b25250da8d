"""The pruned exact ranking (relation features only for pairs that can make the cut) picks
exactly what scoring every pair picks."""

from __future__ import annotations

import numpy as np
import pytest

import matcher.recommend
from matcher.recommend import best_scored, rank


def full_ranking(scorer, i, k, keep=None, allow_competitors=False):
    """The reference: score every pair, then rank on those scores."""
    js = np.arange(len(scorer.matrix_))
    s, rel, _ = scorer.score_rows(i, js[js != i])
    return rank(scorer, i, k, excluded=None if keep is None else ~keep,
                allow_competitors=allow_competitors, scored=(s, rel, None))


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    """72 members fit in one batch; smaller ones make the pruning and widening happen."""
    monkeypatch.setattr(matcher.recommend, "FIRST", 1)


@pytest.fixture(scope="module")
def scorer(_sample_db_master, encoder):
    from matcher.engine import Engine
    from matcher.store import Store

    with Store(_sample_db_master) as store:  # read only
        yield Engine(store, encoder=encoder).scorer(None).scorer


def test_pruned_ranking_equals_full_scoring_for_every_sample_member(scorer):
    for i in range(len(scorer.matrix_)):
        for k in (1, 2, 10):
            assert rank(scorer, i, k) == full_ranking(scorer, i, k), (i, k)


def test_pruned_ranking_equals_full_scoring_with_exclusions_and_competitors(scorer):
    rng = np.random.default_rng(0)
    n = len(scorer.matrix_)
    for i in rng.choice(n, 12, replace=False):
        keep = rng.random(n) > 0.4
        got = rank(scorer, int(i), 5, excluded=~keep, allow_competitors=True)
        assert got == full_ranking(scorer, int(i), 5, keep, allow_competitors=True)


def test_best_scored_widens_until_the_cut_is_safe(scorer):
    """With a cut of one pair and everyone kept, the winner is the best full score, also
    when it is a referral partner whose base score alone ranks lower."""
    n = len(scorer.matrix_)
    js = np.arange(n)
    pruned = 0
    for i in range(n):
        others = js[js != i]
        s, rel, _ = scorer.score_rows(i, others)
        s = np.where(rel == "competitor", -np.inf, s)
        pos, scores = best_scored(scorer, i, others, np.ones(len(others), bool), 1)
        assert scores[pos[0]] == pytest.approx(s.max())
        pruned += np.isinf(scores).sum() > (s == -np.inf).sum()  # some pairs never scored
    assert pruned > n // 2
