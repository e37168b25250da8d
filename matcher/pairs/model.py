"""The learned relation of a pair, and its score.

:class:`PairModel` is a multinomial logistic regression over the :class:`PairFeatures` vector,
temperature-scaled on grouped out-of-fold predictions so that its probabilities mean what they
say, with a competitor threshold chosen on the same out-of-fold predictions for precision
>= ``competitor_precision`` (a competitor shown as a partner is the costly mistake). Relations:
``competitor`` when P(competitor) reaches the threshold, else the likeliest of the other three.

The score of a pair for a seeker A and a candidate B (what A's recommendations rank by) is

    base  = w_fit * (f(fit_ab) + mix * f(fit_ba)) / (1 + mix) + w_industry * industry + w_synergy * synergy
    f(x)  = (1 - slope) * clip((x - floor) / (1 - floor), 0, 1) + slope * x
    score = base + referral_bonus * P(referral-partner)

where ``fit_ab`` is how well B answers A's own stated needs and ``fit_ba`` how well A answers
B's: the seeker's needs drive the ranking and reciprocity is a bonus (``mix`` <= 1), so a strong
one-way answer to what A asked for is never buried under noisy two-way fits, and of two equal
answers the mutual one ranks first. The score is directional (A's view of B); the relation is
not. ``base`` needs only the need-answer fits (and industry, synergy); with P(referral-partner)
<= 1 it bounds the score, which is what keeps the pruned ranking exact
(:func:`matcher.recommend.best_scored`).

Persisted as plain JSON (``models/pair_relation.json``), never pickle.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import NotFittedError
from .features import FEATURES
from .need_fit import precision_threshold

RELATIONS = ("complement", "referral-partner", "competitor", "peer")
MODEL_FILE = Path(__file__).resolve().parents[2] / "models" / "pair_relation.json"
_COMP, _REF = RELATIONS.index("competitor"), RELATIONS.index("referral-partner")


def fit_credit(fit, floor: float, slope: float = 0.0) -> np.ndarray:
    """What a need-answer fit (a probability) earns in the score: ``(fit - floor) / (1 -
    floor)`` clipped to [0, 1], blended with the fit itself by ``slope`` so that below the floor
    a better answer still scores more (a one-line member's right answer often has a modest
    cosine, yet is the best the community has)."""
    f = np.asarray(fit, dtype=np.float64)
    return (1.0 - slope) * np.clip((f - floor) / (1.0 - floor), 0.0, 1.0) + slope * f


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def grouped_folds(y: np.ndarray, groups: np.ndarray, *, n_splits: int, random_state: int):
    """(train, test) index arrays with no group on both sides.

    ``groups`` of shape (n,) is one group per row (``StratifiedGroupKFold``); of shape (n, 2),
    the groups of a pair's two members: rows whose members share a group are split by
    ``StratifiedGroupKFold``; a row whose members are in two groups is never tested and trains
    only folds that test neither of its groups (so no profile is in train and test at once).
    """
    from sklearn.model_selection import StratifiedGroupKFold

    groups = np.asarray(groups)
    if groups.ndim == 1:
        groups = np.column_stack([groups, groups])
    within = np.flatnonzero(groups[:, 0] == groups[:, 1])
    sgkf = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    for _, te in sgkf.split(within, y[within], groups[within, 0]):
        test = within[te]
        held = set(groups[test, 0].tolist())
        clean = ~np.isin(groups[:, 0], list(held)) & ~np.isin(groups[:, 1], list(held))
        yield np.flatnonzero(clean), test


class PairModel:
    """Relation probabilities and the score of pairs of members.

    Parameters
    ----------
    C : float
        Inverse regularisation of the logistic regression.
    competitor_precision : float
        Grouped-CV precision the competitor threshold must reach.
    mix : float
        Weight of the candidate's need answered by the seeker (reciprocity) against the
        seeker's need answered by the candidate.
    floor : float
        Need-answer fits up to this probability count as no fit (the level that chance
        matches between unrelated members reach), the rest is rescaled to [0, 1].
    slope : float
        Share of the score's fit term that is the fit itself, so that below the floor a better
        answer still ranks first (:func:`fit_credit`).
    weights : tuple of float
        ``(w_fit, w_industry, w_synergy)`` of the base score.
    referral_bonus : float
        Added to the score times P(referral-partner).
    n_splits, random_state : int
        Grouped cross-validation of the calibration.
    """

    def __init__(self, *, C: float = 1.0, competitor_precision: float = 0.95, mix: float = 0.5,
                 floor: float = 0.0, slope: float = 0.0,
                 weights: tuple[float, float, float] = (0.6, 0.15, 0.25),
                 referral_bonus: float = 0.15, n_splits: int = 5, random_state: int = 0):
        self.C = C
        self.competitor_precision = competitor_precision
        self.mix = mix
        self.floor = floor
        self.slope = slope
        self.weights = weights
        self.referral_bonus = referral_bonus
        self.n_splits = n_splits
        self.random_state = random_state

    # -- learning ------------------------------------------------------------------------
    def _lr(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.linear_model import LogisticRegression

        yi = np.array([RELATIONS.index(v) for v in y])
        lr = LogisticRegression(C=self.C, max_iter=5000).fit(X, yi)
        coef = np.zeros((len(RELATIONS), X.shape[1]))
        icpt = np.full(len(RELATIONS), -1e3)  # a class missing from a fold is never predicted
        coef[lr.classes_], icpt[lr.classes_] = lr.coef_, lr.intercept_
        return coef, icpt

    def fit(self, X: np.ndarray, y: np.ndarray, *, groups: np.ndarray) -> PairModel:
        """X : ndarray of shape (n_pairs, n_features) (:class:`PairFeatures`); y : relations;
        groups : ndarray of shape (n_pairs,) or (n_pairs, 2), see :func:`grouped_folds`."""
        from scipy.optimize import minimize_scalar

        X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=object)
        if X.shape[1] != len(FEATURES):
            raise ValueError(f"X has {X.shape[1]} columns; expected {len(FEATURES)} ({FEATURES})")
        bad = sorted(set(y) - set(RELATIONS))
        if bad:
            raise ValueError(f"unknown relation {bad[0]!r}; expected one of {RELATIONS}")
        self.mean_ = X.mean(axis=0)
        self.scale_ = np.where(X.std(axis=0) > 1e-9, X.std(axis=0), 1.0)
        Xs = (X - self.mean_) / self.scale_
        yi = np.array([RELATIONS.index(v) for v in y])
        logits = np.full((len(y), len(RELATIONS)), np.nan)
        for tr, te in grouped_folds(y, groups, n_splits=self.n_splits,
                                    random_state=self.random_state):
            coef, icpt = self._lr(Xs[tr], y[tr])
            logits[te] = Xs[te] @ coef.T + icpt
        tested = ~np.isnan(logits[:, 0])

        def nll(t):
            p = _softmax(logits[tested] / t)
            return -np.mean(np.log(p[np.arange(tested.sum()), yi[tested]] + 1e-12))

        self.temperature_ = float(minimize_scalar(nll, bounds=(0.2, 5.0), method="bounded").x)
        oof = _softmax(logits[tested] / self.temperature_)
        self.competitor_threshold_ = precision_threshold(
            oof[:, _COMP], (yi[tested] == _COMP).astype(int), self.competitor_precision)
        self.coef_, self.intercept_ = self._lr(Xs, y)
        self.oof_ = {"tested": tested, "proba": oof, "y": y[tested],
                     "pred": self._decide(oof)}
        return self

    # -- prediction ----------------------------------------------------------------------
    def _check(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError("PairModel is not fitted")

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Relation probabilities, shape (n_pairs, 4), columns :data:`RELATIONS`."""
        self._check()
        # the standardisation and the temperature folded into the weights: one pass over X
        w = self.coef_ / self.scale_ / self.temperature_
        b = (self.intercept_ - self.coef_ @ (self.mean_ / self.scale_)) / self.temperature_
        # row by row (einsum, not BLAS): a pair's probabilities do not depend on which other
        # pairs are scored with it, which the pruned exact ranking relies on
        return _softmax(np.einsum("ij,kj->ik", np.asarray(X, dtype=np.float64), w) + b)

    def _decide(self, proba: np.ndarray) -> np.ndarray:
        others = proba.copy()
        others[:, _COMP] = -1.0
        pick = np.array(RELATIONS, dtype=object)[np.argmax(others, axis=1)]
        return np.where(proba[:, _COMP] >= self.competitor_threshold_, "competitor", pick)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self._decide(self.predict_proba(X))

    def base_score(self, fit_ab, fit_ba, industry, synergy) -> np.ndarray:
        """Score of candidates B for seeker A without the referral bonus: ``fit_ab`` how well
        B answers A's needs, ``fit_ba`` how well A answers B's (the reciprocity bonus)."""
        w_fit, w_ind, w_syn = self.weights
        fit = (fit_credit(fit_ab, self.floor, self.slope)
               + self.mix * fit_credit(fit_ba, self.floor, self.slope)) / (1.0 + self.mix)
        return w_fit * fit + w_ind * np.asarray(industry) + w_syn * np.asarray(synergy)

    def score(self, X: np.ndarray, proba: np.ndarray | None = None, *, fit_ab: np.ndarray,
              fit_ba: np.ndarray) -> np.ndarray:
        """The ranking score of pairs for the seeker (first member), shape (n_pairs,);
        ``fit_ab``/``fit_ba``: the two directions of the need-answer fit (``X`` holds them only
        as their max and min)."""
        col = {f: k for k, f in enumerate(FEATURES)}
        X = np.asarray(X, dtype=np.float64)
        proba = self.predict_proba(X) if proba is None else proba
        base = self.base_score(fit_ab, fit_ba, X[:, col["industry"]], X[:, col["synergy"]])
        return base + self.referral_bonus * proba[:, _REF]

    # -- persistence (plain JSON) -------------------------------------------------------
    PARAMS = ("C", "competitor_precision", "mix", "floor", "slope", "weights", "referral_bonus",
              "n_splits", "random_state")
    STATE = ("mean_", "scale_", "coef_", "intercept_", "temperature_", "competitor_threshold_")

    def to_dict(self) -> dict:
        self._check()
        return {"features": list(FEATURES), "relations": list(RELATIONS),
                "params": {p: getattr(self, p) for p in self.PARAMS},
                "state": {s: np.asarray(getattr(self, s)).tolist() for s in self.STATE}}

    @classmethod
    def from_dict(cls, doc: dict) -> PairModel:
        if tuple(doc["features"]) != FEATURES or tuple(doc["relations"]) != RELATIONS:
            raise ValueError("pair model was fitted on other features or relations; refit it "
                             "with `python -m matcher.pairs.fit`")
        params = dict(doc["params"])
        params["weights"] = tuple(params["weights"])
        params.setdefault("slope", 0.0)  # models fitted before the slope existed
        m = cls(**params)
        for s in cls.STATE:
            v = doc["state"][s]
            setattr(m, s, float(v) if np.ndim(v) == 0 else np.asarray(v, dtype=np.float64))
        return m

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> PairModel:
        return cls.from_dict(json.loads(Path(path).read_text())["model"])
