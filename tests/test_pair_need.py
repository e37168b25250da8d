"""The need-answer fit (matcher/pairs/need_fit.py) and the data it learns from: known answers
on toy scores, the hand-written need-offer set's make-up, and the held-out figures that reasons
rely on (from cached vectors: nothing is embedded here)."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from matcher.pairs.cache import PhraseCache
from matcher.pairs.fit import read_need_offer
from matcher.pairs.generate import read_generated
from matcher.pairs.need_fit import NeedFit, precision_threshold
from matcher.pairs.quality import need_offer_eval


@pytest.mark.parametrize(("precision", "threshold"), [(0.75, 0.6), (0.95, 0.8), (0.5, 0.5)])
def test_precision_threshold_is_the_lowest_cut_that_reaches_the_precision(precision, threshold):
    score = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    y = np.array([1, 1, 0, 1, 0])  # cut precisions from the top: 1, 1, 2/3, 3/4, 3/5
    assert precision_threshold(score, y, precision) == threshold


def test_precision_threshold_without_any_good_cut_claims_nothing():
    assert precision_threshold(np.array([0.9, 0.1]), np.array([0, 1]), 0.95) == np.inf


def test_need_fit_is_monotone_and_claims_only_above_its_threshold():
    cos = np.linspace(0, 1, 21)
    nf = NeedFit(claim_confidence=None).fit(cos, (cos > 0.5).astype(int))
    p = nf.proba(cos)
    assert (np.diff(p) > 0).all()
    assert nf.claims(cos).tolist() == (cos >= nf.claim_cosine_).tolist()
    assert 0.5 <= nf.claim_cosine_ <= 0.6
    assert NeedFit.from_dict(nf.to_dict()).proba(0.3) == pytest.approx(nf.proba(0.3))


@pytest.mark.parametrize(("n_right", "claims"), [(40, False), (60, True)])
def test_confident_claims_need_enough_evidence(n_right, claims):
    """All n top pairs right: the one-sided 95% Wilson lower bound of their precision is
    n / (n + 1.645^2), which reaches 0.95 only from n = 52 on; the point estimate (1.0) is
    reached by any n."""
    cos = np.r_[np.linspace(0.7, 1.0, n_right), np.linspace(0.0, 0.6, 40)]
    y = np.r_[np.ones(n_right), np.zeros(40)].astype(int)
    point = NeedFit(claim_confidence=None).fit(cos, y).claim_cosine_
    sure = NeedFit(claim_confidence=0.95).fit(cos, y).claim_cosine_
    assert point < 0.7  # 0.95 as a point estimate admits a wrong pair or two below
    assert (sure == pytest.approx(0.7)) if claims else sure == float("inf")


def _shares_a_word(a: str, b: str) -> bool:
    """A surface word in common: one word a prefix or part of another ("dentist"/"dental",
    "payrol"/"payday", "cybersecurity"/"security")."""
    wa = re.findall(r"[a-z0-9]{2,}", a.lower())
    wb = re.findall(r"[a-z0-9]{2,}", b.lower())
    stop = {"the", "and", "for", "our", "a", "to", "of", "in", "my", "who", "with", "an"}
    return any(x not in stop and y not in stop and (x[:4] == y[:4] if min(len(x), len(y)) >= 4
                                                    else x == y) or (len(x) >= 5 and x in y)
               or (len(y) >= 5 and y in x) for x in wa for y in wb)


def test_hand_written_set_has_the_asked_make_up():
    rows = read_need_offer()
    assert len(rows) >= 400
    groups = Counter(r["group"] for r in rows)
    assert set(groups.values()) == {4}
    negatives = [r for r in rows if not r["relevant"]]
    decoys = [r for r in negatives if r["decoy"] and _shares_a_word(r["seek"], r["answer"])]
    assert len(decoys) >= len(negatives) / 3
    kinds = Counter(r["seek_kind"] for r in rows)
    assert kinds["people"] >= 100 and kinds["service"] >= 100
    held = {r["group"] for r in rows if r["split"] == "heldout"}
    dev = {r["group"] for r in rows if r["split"] == "dev"}
    assert len(held) >= 40 and not held & dev


def test_generated_pairs_keep_groups_apart_and_decoys_share_words():
    rows = read_generated()
    split = {}
    for r in rows:
        assert split.setdefault(r["group"], r["split"]) == r["split"]
    decoys = [r for r in rows if r["decoy"]]
    assert len(decoys) > 1000
    assert all(_shares_a_word(r["need"], r["answer"]) for r in decoys)
    assert Counter(r["source"] for r in rows)["onet"] > 1000


@pytest.fixture(scope="module")
def heldout():
    cache = PhraseCache()
    rows = [r for r in read_need_offer() if r["split"] == "heldout"]
    return need_offer_eval(rows, cache, NeedFit.load())


def test_reasons_claims_are_right_95_percent_of_the_time_on_held_out_seeks(heldout):
    assert heldout["model"]["reason_precision"] >= 0.95
    assert heldout["model"]["n_claims"] >= 20  # and it still claims something


def test_model_ranks_decoys_above_the_answer_no_more_often_than_plain_cosine(heldout):
    assert heldout["model"]["decoys_above"] <= heldout["cosine"]["decoys_above"]
    assert heldout["model"]["top5_hit"] >= heldout["cosine"]["top5_hit"]
