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


def test_base_scores_of_many_members_equal_one_at_a_time(scorer):
    n = len(scorer.matrix_)
    rows = np.array([0, 5, 17, n - 1])
    many = scorer.base_scores_many(rows)
    assert many.shape == (len(rows), n)
    for b, i in enumerate(rows):
        np.testing.assert_allclose(many[b], scorer.base_scores(i, np.arange(n)), atol=1e-6)


def test_recommend_many_in_batches_equals_one_member_at_a_time(_sample_db_master, encoder,
                                                               monkeypatch):
    from matcher.engine import Engine
    from matcher.store import Store

    monkeypatch.setattr("matcher.engine.BASE_BATCH", 7)  # several batches, one of them short
    with Store(_sample_db_master) as store:
        engine = Engine(store, encoder=encoder)
        ids = engine.scorer(None).scorer.matrix_.ids[:23]
        for k in (1, 2):  # small k: few candidates scored in full, so base scores matter
            many = engine.recommend_many(ids, k)
            for member_id in ids:
                one = engine.recommend(member_id, k)  # a batch of one: base scores per member
                assert [r["member_id"] for r in many[member_id]] == [r["member_id"] for r in one]
                assert [r["score"] for r in many[member_id]] == [r["score"] for r in one]


@pytest.mark.parametrize("seed", range(5))
def test_score_upper_bound_holds_for_any_value_of_the_features_not_yet_known(seed):
    """The pruning is exact only if the model's bound on P(referral-partner), from the cheap
    features and the ranges of the rest, is never below the probability: random features."""
    from matcher.pairs.features import CHEAP, FEATURES, RANGES, PairFeatures
    from matcher.pairs.model import RELATIONS, PairModel

    model = PairModel.load()
    rng = np.random.default_rng(seed)
    n = 20_000
    cols = {f: rng.uniform(*RANGES[f], n) for f in FEATURES}
    for f in ("same_naics6", "same_naics4", "same_market", "same_locality", "other_customers"):
        cols[f] = (rng.random(n) < 0.5).astype(float)
    cols["local_specialty"] = cols["same_locality"] * cols["specialty_sim"]
    cols["local_offers"] = cols["same_locality"] * cols["offers_sim"]
    X = np.column_stack([cols[f] for f in FEATURES])
    lo, hi = PairFeatures().bounds({f: cols[f] for f in CHEAP})
    assert (lo <= X + 1e-12).all() and (X <= hi + 1e-12).all()
    p_ref = model.predict_proba(X)[:, RELATIONS.index("referral-partner")]
    upper = model.referral_upper(lo, hi)
    assert (p_ref <= upper + 1e-12).all()
    assert (upper < 1 - 1e-3).mean() > 0.5  # and the bound is not trivially 1
