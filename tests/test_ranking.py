"""The pruned exact ranking (the offers cosine and the relation only for pairs that can make
the cut) picks exactly what scoring every pair, one at a time, picks; the bound it prunes with
holds for every pair; the directional scores of everyone with a member (refresh) are those the
members' own rankings use."""

from __future__ import annotations

import numpy as np
import pytest

import matcher.recommend
from matcher.recommend import POOL, best_scored, rank
from matcher.scoring import LATE

SEGMENTS = ("law firms", "dental offices", "restaurants", "hotels", "accountants", "")


def synthetic(n: int, seed: int = 0):
    """A community of ``n`` members made of real sentence vectors (NAICS index phrases, no
    encoder): 0-3 offer and seek phrases each (some without any), seeks for an industry the
    member's buys from, some asking for someone to refer work to, customers named in offers,
    shared towns, companies and opt-outs; roles drawn from the taxonomy's five."""
    from matcher.industry import default_index
    from matcher.profiles import ROLES, Member
    from matcher.roles import load_taxonomy
    from matcher.scoring import PairScorer
    from matcher.vectors import MemberMatrix

    rng = np.random.default_rng(seed)
    index = default_index()
    pv = np.asarray(index.phrase_vectors, dtype=np.float32)
    by_code: dict[int, list[int]] = {}
    for p, c in enumerate(index.phrase_code):
        by_code.setdefault(int(c), []).append(p)
    codes = np.array([c for c, ps in by_code.items() if len(ps) >= 3])[:40]  # few: competitors
    comp = index.complementarity([index.codes[c] for c in codes], [index.codes[c] for c in codes])
    partners = np.argsort(-comp, axis=1)[:, :5]

    def phrase(code_row):
        ps = by_code[int(codes[code_row])]
        return pv[ps[rng.integers(len(ps))]]

    def unit(v):
        return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)

    member_code = rng.integers(0, len(codes), n)
    members, phrases = [], {}
    spec, offers, seeks, trade = (np.zeros((n, pv.shape[1]), np.float32) for _ in range(4))
    for i in range(n):
        c = member_code[i]
        spec[i] = phrase(c)
        seg = SEGMENTS[rng.integers(len(SEGMENTS))]
        offer_texts = [f"service {k} for {seg}" for k in range(rng.integers(0, 4))]
        seek_texts = [("clients to refer my customers to" if rng.random() < 0.2 else
                       f"{SEGMENTS[rng.integers(len(SEGMENTS))]} owners")
                      for _ in range(rng.integers(0, 4))]
        if offer_texts:
            phrases[(i, "offers")] = unit(np.stack([phrase(c) for _ in offer_texts]))
        if seek_texts:
            phrases[(i, "seeks")] = unit(np.stack(
                [phrase(partners[c, rng.integers(5)]) + 0.5 * spec[i] for _ in seek_texts]))
        offers[i] = unit(phrases[(i, "offers")].sum(0)) if offer_texts else spec[i]
        seeks[i] = unit(phrases[(i, "seeks")].sum(0)) if seek_texts else spec[i]
        trade[i] = unit(spec[i] + 0.5 * offers[i])
        members.append(Member.model_construct(
            id=f"s{i}", name=f"Member {i}", headline="", specialty=f"trade {c}",
            offers=offer_texts, seeks=seek_texts, company=f"co{rng.integers(n // 3)}",
            location=["Austin, TX", "Dallas, TX", ""][rng.integers(3)],
            opt_out=bool(rng.random() < 0.03)))
    has_offers = np.array([(i, "offers") in phrases for i in range(n)])
    has_seeks = np.array([(i, "seeks") in phrases for i in range(n)])
    matrix = MemberMatrix(members=members, specialty=spec, offers=offers, seeks=seeks,
                          profile=spec, trade=trade, has_offers=has_offers,
                          has_seeks=has_seeks, phrase_vectors=phrases)
    mcodes = [index.codes[codes[r]] for r in member_code]
    return PairScorer().fit(matrix, codes=mcodes, markets=[index.market(c) for c in mcodes],
                            roles=[ROLES[r] for r in rng.integers(0, 5, n)],
                            synergy=load_taxonomy().synergy, index=index)


def one_pair_at_a_time(scorer, i: int, js: np.ndarray):
    """The known answer: every pair scored on its own, (scores, relations)."""
    out = [scorer.score_rows(i, np.array([j])) for j in js]
    return np.array([s[0] for s, _, _ in out]), np.array([r[0] for _, r, _ in out], dtype=object)


def brute_force_top(scores, relations, m: int, keep: np.ndarray, allow_competitors: bool):
    """Rows of the ``m`` best kept pairs (ties to the lower row), from every pair's score."""
    ok = keep & (True if allow_competitors else relations != "competitor")
    return [int(j) for _, j in sorted(zip(-scores[ok], np.flatnonzero(ok), strict=True))[:m]]


@pytest.fixture(scope="module")
def community():
    return synthetic(300)


@pytest.fixture(scope="module")
def scorer(_sample_db_master, encoder):
    from matcher.engine import Engine
    from matcher.store import Store

    with Store(_sample_db_master) as store:  # read only
        yield Engine(store, encoder=encoder).scorer(None).scorer


def everyone_alone(scorer, i):
    """(scores, relations) of i with every member (i itself: 0, "self"), one pair at a time."""
    n = len(scorer.matrix_)
    others = np.flatnonzero(np.arange(n) != i)
    scores, rels = np.zeros(n), np.full(n, "self", dtype=object)
    scores[others], rels[others] = one_pair_at_a_time(scorer, i, others)
    return scores, rels


def full_ranking(scorer, i, k, keep=None, allow_competitors=False, alone=None):
    """Rank on the scores of every pair (scored one at a time), as the n x n matrix does."""
    scores, rels = everyone_alone(scorer, i) if alone is None else alone
    others = np.flatnonzero(np.arange(len(scores)) != i)
    return rank(scorer, i, k, excluded=None if keep is None else ~keep,
                allow_competitors=allow_competitors, scored=(scores[others], rels[others], None))


@pytest.mark.parametrize("first", [1, 16, matcher.recommend.FIRST])
@pytest.mark.parametrize("allow_competitors", [False, True])
def test_pruned_top_equals_brute_force_on_a_synthetic_community(community, monkeypatch, first,
                                                                allow_competitors):
    """300 members, 12 seekers, random exclusions: the best POOL*k of best_scored are the
    best of every pair scored one at a time, in that order, with those scores."""
    monkeypatch.setattr(matcher.recommend, "FIRST", first)
    n = len(community.matrix_)
    rng = np.random.default_rng(first)
    competitors = 0
    for i in rng.choice(n, 12, replace=False):
        i = int(i)
        keep = (rng.random(n) > 0.3) & (np.arange(n) != i)
        every, rel = everyone_alone(community, i)
        for m in (1, POOL * 10):
            pos, scores = best_scored(community, i, np.arange(n), keep, m,
                                      allow_competitors=allow_competitors)
            want = brute_force_top(every, rel, m, keep, allow_competitors)
            assert [int(p) for p in pos] == want, (i, m)
            assert [scores[p] for p in pos] == [every[j] for j in want]
        competitors += int((rel[keep] == "competitor").sum())
    assert competitors > 0  # the competitor rule was exercised


@pytest.mark.parametrize("first", [1, matcher.recommend.FIRST])
def test_pruned_ranking_with_diversity_equals_full_scoring_on_a_synthetic_community(
        community, monkeypatch, first):
    monkeypatch.setattr(matcher.recommend, "FIRST", first)
    n = len(community.matrix_)
    rng = np.random.default_rng(1)
    for i in rng.choice(n, 6, replace=False):
        keep = rng.random(n) > 0.2
        for allow in (False, True):
            got = rank(community, int(i), 10, excluded=~keep, allow_competitors=allow)
            assert got == full_ranking(community, int(i), 10, keep, allow), (i, allow)


def test_pruning_leaves_pairs_unscored(community, monkeypatch):
    """The equality above is not trivial: most pairs never get the late components."""
    monkeypatch.setattr(matcher.recommend, "FIRST", 16)
    n = len(community.matrix_)
    unscored = []
    for i in range(0, n, 30):
        _, scores = best_scored(community, i, np.arange(n), np.arange(n) != i, 10)
        unscored.append(np.isinf(scores).mean())
    assert np.mean(unscored) > 0.5


def test_pruned_ranking_equals_full_scoring_for_every_sample_member(scorer, monkeypatch):
    monkeypatch.setattr(matcher.recommend, "FIRST", 1)  # 72 members: make the pruning happen
    for i in range(len(scorer.matrix_)):
        alone = everyone_alone(scorer, i)
        for k in (1, 2, 10):
            assert rank(scorer, i, k) == full_ranking(scorer, i, k, alone=alone), (i, k)


def test_pruned_ranking_equals_full_scoring_with_exclusions_and_competitors(scorer, monkeypatch):
    monkeypatch.setattr(matcher.recommend, "FIRST", 1)
    rng = np.random.default_rng(0)
    n = len(scorer.matrix_)
    for i in rng.choice(n, 12, replace=False):
        keep = rng.random(n) > 0.4
        got = rank(scorer, int(i), 5, excluded=~keep, allow_competitors=True)
        assert got == full_ranking(scorer, int(i), 5, keep, allow_competitors=True)


def test_a_pairs_score_does_not_depend_on_the_pairs_scored_with_it(community, scorer):
    """What the pruning relies on: bit for bit the same score alone, in a few, or among all
    (one pass over every phrase when most members are asked, the rows copied out when few)."""
    for sc in (community, scorer):
        n = len(sc.matrix_)
        everyone = np.arange(n)
        for i in (0, n // 2, n - 1):
            s_all, r_all, c_all = sc.score_rows(i, everyone)
            few = everyone[::7]
            s_few, r_few, c_few = sc.score_rows(i, few)
            np.testing.assert_array_equal(s_few, s_all[few])
            np.testing.assert_array_equal(r_few, r_all[few])
            for name in c_all:
                np.testing.assert_array_equal(c_few[name], c_all[name][few], err_msg=name)
            alone, _ = one_pair_at_a_time(sc, i, everyone[::31])
            np.testing.assert_array_equal(alone, s_all[::31])


def test_base_score_and_bonus_bound_every_pairs_score(community, scorer):
    """What best_scored prunes with: a pair's score lies between its base score, from the
    components without the late ones, and that plus the referral bonus; with the components
    the score reads being the ones it gets (complete adds only the late ones)."""
    for sc in (community, scorer):
        n = len(sc.matrix_)
        bonus = sc._model().referral_bonus
        assert bonus > 0
        for i in range(0, n, max(1, n // 25)):
            js = np.flatnonzero(np.arange(n) != i)
            c = sc.components(i, js, late=False)
            assert not set(c) & set(LATE)
            base = sc.base_scores(c)
            full, _, comp = sc.score_rows(i, js)
            assert (base <= full).all() and (full <= base + bonus).all(), i
            np.testing.assert_array_equal(sc.score_components(sc.complete(i, js, c))[0], full)
            spread = (full - base) / bonus  # P(referral-partner): the bound is tight somewhere
            np.testing.assert_allclose(spread, comp["p_referral-partner"], atol=1e-9)


def test_scores_to_equals_each_members_own_scores(community):
    """refresh.scores_to: score(A, x) for every A, as A's own ranking scores x (directional:
    A's need drives A's view), without scoring every member."""
    from matcher.refresh import scores_to

    n = len(community.matrix_)
    xs = np.array([3, 150, n - 1])
    want = np.stack([community.score_rows(a, xs)[0] for a in range(n)])
    got = scores_to(community, xs)
    np.testing.assert_array_equal(got, want)
    flipped = np.stack([community.score_rows(int(x), np.arange(n))[0] for x in xs], axis=1)
    assert not np.allclose(flipped, want)  # the scores are directional: a real check


def test_recommend_many_equals_one_member_at_a_time(_sample_db_master, encoder):
    from matcher.engine import Engine
    from matcher.store import Store

    with Store(_sample_db_master) as store:
        engine = Engine(store, encoder=encoder)
        ids = engine.scorer(None).scorer.matrix_.ids[:23]
        for k in (1, 2):
            many = engine.recommend_many(ids, k)
            for member_id in ids:
                one = engine.recommend(member_id, k)
                assert [r["member_id"] for r in many[member_id]] == [r["member_id"] for r in one]
                assert [r["score"] for r in many[member_id]] == [r["score"] for r in one]
