"""The learned pair model (matcher/pairs): a contract on toy data with known answers, the
shipped model's file, and the feature vector's symmetry on the sample."""

from __future__ import annotations

import inspect
import json

import numpy as np
import pytest

from matcher.pairs.features import FEATURES, PairFeatures
from matcher.pairs.model import MODEL_FILE, RELATIONS, PairModel, grouped_folds


def toy(n_per: int = 40, seed: int = 0):
    """Four relations, each with its own corner of the feature space; each profile group holds
    pairs of one relation only, so grouped folds stay stratifiable."""
    rng = np.random.default_rng(seed)
    X, y, g = [], [], []
    centre = {"complement": {"fit_max": 0.9, "fit_min": 0.7},
              "referral-partner": {"same_naics4": 1.0, "field_overlap": 1.0, "specialty_sim": 0.6},
              "competitor": {"same_naics6": 1.0, "same_naics4": 1.0, "local_specialty": 0.9,
                             "local_offers": 0.9, "same_locality": 1.0},
              "peer": {}}
    for r, rel in enumerate(RELATIONS):
        for k in range(n_per):
            x = rng.uniform(0.0, 0.2, len(FEATURES))
            for f, v in centre[rel].items():
                x[FEATURES.index(f)] = v + rng.normal(0, 0.05)
            X.append(x)
            y.append(rel)
            g.append(r * 10 + k % 10)
    return np.array(X), np.array(y, dtype=object), np.array(g)


def test_constructor_only_stores_its_keyword_arguments():
    params = inspect.signature(PairModel.__init__).parameters
    assert all(p.kind is p.KEYWORD_ONLY for name, p in params.items() if name != "self")
    m = PairModel(C=0.5, mix=1.0)
    assert {k for k in vars(m) if k.endswith("_")} == set()


def test_fit_learns_toy_relations_with_probabilities_that_sum_to_one():
    X, y, g = toy()
    m = PairModel(C=1.0)
    assert m.fit(X, y, groups=g) is m
    p = m.predict_proba(X)
    assert p.shape == (len(y), 4)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert (m.predict(X) == y).mean() > 0.95
    Xt, yt, _ = toy(seed=1)
    assert (m.predict(Xt) == yt).mean() > 0.95


def test_fit_is_deterministic_and_round_trips_through_plain_json():
    X, y, g = toy()
    a, b = PairModel().fit(X, y, groups=g), PairModel().fit(X, y, groups=g)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    doc = json.loads(json.dumps(a.to_dict()))
    c = PairModel.from_dict(doc)
    np.testing.assert_allclose(c.predict_proba(X), a.predict_proba(X))
    assert c.competitor_threshold_ == a.competitor_threshold_


def test_bad_labels_and_shapes_are_named():
    X, y, g = toy()
    y = y.copy()
    y[3] = "friend"
    with pytest.raises(ValueError, match="unknown relation 'friend'"):
        PairModel().fit(X, y, groups=g)
    with pytest.raises(ValueError, match="columns"):
        PairModel().fit(X[:, :3], y, groups=g)


def test_grouped_folds_never_put_one_group_in_train_and_test():
    rng = np.random.default_rng(0)
    n = 300
    groups = rng.integers(0, 12, (n, 2))
    y = np.array(RELATIONS, dtype=object)[rng.integers(0, 4, n)]
    tested = np.zeros(n, bool)
    for tr, te in grouped_folds(y, groups, n_splits=5, random_state=0):
        test_groups = set(groups[te].ravel())
        assert not test_groups & set(groups[tr].ravel())
        assert (groups[te, 0] == groups[te, 1]).all()  # a pair across groups is never tested
        tested[te] = True
    assert tested[groups[:, 0] == groups[:, 1]].all()


def test_the_shipped_model_meets_its_card():
    doc = json.loads(MODEL_FILE.read_text())
    model = PairModel.load()
    assert doc["competitor_cv_precision"] >= 0.95
    assert doc["grouped_cv"]["macro_f1"] > 0.7
    assert model.competitor_threshold_ == pytest.approx(doc["competitor_threshold"], abs=1e-4)
    assert doc["model"]["features"] == list(FEATURES)


@pytest.fixture(scope="module")
def scorer(_sample_db_master, encoder):
    from matcher.engine import Engine
    from matcher.store import Store

    with Store(_sample_db_master) as store:
        yield Engine(store, encoder=encoder).scorer(None).scorer


def test_pair_features_are_symmetric(scorer):
    """The relation of (a, b) is the relation of (b, a): every feature is."""
    n = len(scorer.matrix_)
    feats = PairFeatures()
    everyone = np.arange(n)
    X = np.stack([feats.transform(scorer.components(i, everyone)) for i in range(n)])
    np.testing.assert_allclose(X, X.transpose(1, 0, 2), atol=1e-5)
