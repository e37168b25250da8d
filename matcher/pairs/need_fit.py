"""How well one phrase answers one stated need, as a calibrated probability.

A seek ("monthly bookkeeping for our clinic", "founders about to incorporate") is answered by
one of the other member's offers *or* by who they are (specialty, headline and company: the
``trade`` text). :class:`NeedFit` maps the cosine of a (seek, answer) phrase pair to the
probability that the answer is right, learned on the need-offer data (``data/needs/generated.csv``
from public data and the development part of ``data/labelled/need_offer_pairs.csv``), and holds
``claim_cosine_``: the lowest cosine at which the hand-written development pairs are right at
least :data:`CLAIM_PRECISION` of the time, the only fits a reason may call an answer, and
``answer_level_``: the fit a typical (median) wrong answer of those pairs reaches, below which
an answer is no better than chance (:mod:`matcher.needs_first`).

Other features of the phrase pair were tried during development and left out because they did
worse on the hand-written development rows (grouped 5-fold CV there: AUC 0.922 and recall 0.56
at precision 0.95 for the cosine alone; 0.915 and 0.44 with shared content words, 0.921 and 0.37
with agreement of the two phrases' NAICS index readings; learnt on the generated pairs, shared
words got a negative weight, because the generated hard negatives share words by construction,
and dropped the development AUC to 0.87). The probability is monotone in the cosine, so the best answer per seek is the one with
the highest cosine and one matrix product finds it.

Examples
--------
>>> import numpy as np
>>> nf = NeedFit().fit(np.array([0.1, 0.2, 0.3, 0.6, 0.7, 0.8]), np.array([0, 0, 0, 1, 1, 1]))
>>> bool(nf.proba(np.array([0.75]))[0] > 0.5 > nf.proba(np.array([0.15]))[0])
True
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import NotFittedError

MODEL_FILE = Path(__file__).resolve().parents[2] / "models" / "pair_need_fit.json"
CLAIM_PRECISION = 0.95
CLAIM_CONFIDENCE = 0.95


class NeedFit:
    """Logistic map from a (seek, answer) cosine to P(the answer meets the need).

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regression.
    claim_precision : float
        Precision the claim threshold must reach on the calibration pairs.
    claim_confidence : float or None
        With a value, the claims' precision must reach ``claim_precision`` with this
        confidence (one-sided Wilson lower bound), not only as a point estimate: a few hundred
        calibration pairs leave the band just above a point-estimate cut right only ~80% of
        the time, and those marginal claims are the ones a member reads as false.
    """

    def __init__(self, *, C: float = 1.0, claim_precision: float = CLAIM_PRECISION,
                 claim_confidence: float | None = CLAIM_CONFIDENCE):
        self.C = C
        self.claim_precision = claim_precision
        self.claim_confidence = claim_confidence

    def fit(self, cos: np.ndarray, y: np.ndarray, *, sample_weight: np.ndarray | None = None,
            claim_cos: np.ndarray | None = None, claim_y: np.ndarray | None = None) -> NeedFit:
        """Fit on cosines ``cos`` of shape (n,) and labels ``y`` (1 = right answer).

        ``claim_cos``/``claim_y``: the pairs the claim threshold is calibrated on (hand-written
        development pairs); ``cos``/``y`` by default.
        """
        from sklearn.linear_model import LogisticRegression

        cos, y = np.asarray(cos, float), np.asarray(y, int)
        lr = LogisticRegression(C=self.C, max_iter=1000)
        lr.fit(cos[:, None], y, sample_weight=sample_weight)
        self.coef_ = float(lr.coef_[0, 0])
        self.intercept_ = float(lr.intercept_[0])
        cc = cos if claim_cos is None else np.asarray(claim_cos, float)
        cy = y if claim_y is None else np.asarray(claim_y, int)
        self.claim_cosine_ = precision_threshold(cc, cy, self.claim_precision,
                                                 confidence=self.claim_confidence)
        wrong = cy == 0
        self.answer_level_ = float(np.median(self.proba(cc[wrong]))) if wrong.any() else 0.5
        return self

    def _check(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError("NeedFit is not fitted")

    def proba(self, cos: np.ndarray) -> np.ndarray:
        """P(right answer) for cosines of any shape."""
        self._check()
        z = self.coef_ * np.asarray(cos, dtype=np.float64) + self.intercept_
        return 1.0 / (1.0 + np.exp(-z))

    def claims(self, cos: np.ndarray) -> np.ndarray:
        """Bool: a reason may say the answer meets the need."""
        self._check()
        return np.asarray(cos) >= self.claim_cosine_

    # -- persistence (plain JSON) -------------------------------------------------------
    def to_dict(self) -> dict:
        self._check()
        return {"C": self.C, "claim_precision": self.claim_precision,
                "claim_confidence": self.claim_confidence, "coef_": self.coef_,
                "intercept_": self.intercept_, "claim_cosine_": self.claim_cosine_,
                "answer_level_": self.answer_level_}

    @classmethod
    def from_dict(cls, doc: dict) -> NeedFit:
        nf = cls(C=doc["C"], claim_precision=doc["claim_precision"],
                 claim_confidence=doc.get("claim_confidence"))
        nf.coef_, nf.intercept_ = float(doc["coef_"]), float(doc["intercept_"])
        nf.claim_cosine_ = float(doc["claim_cosine_"])
        nf.answer_level_ = float(doc.get("answer_level_", 0.5))  # files from before it existed
        return nf

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> NeedFit:
        return cls.from_dict(json.loads(Path(path).read_text())["model"])


def precision_threshold(score: np.ndarray, y: np.ndarray, precision: float, *,
                        confidence: float | None = None) -> float:
    """The lowest threshold t at which the pairs scoring >= t are right at least ``precision``
    of the time (the most recall at that precision); +inf if no cut reaches it. With
    ``confidence``, the one-sided Wilson lower bound of that precision must reach it."""
    from scipy.stats import norm

    score, y = np.asarray(score, float), np.asarray(y, int)
    order = np.argsort(-score, kind="stable")
    s, yy = score[order], y[order]
    n = np.arange(1, len(yy) + 1)
    prec = np.cumsum(yy) / n
    if confidence is not None:  # Wilson score interval, lower end
        z = float(norm.ppf(confidence))
        prec = (prec + z * z / (2 * n) - z * np.sqrt(prec * (1 - prec) / n + z * z / (4 * n * n))
                ) / (1 + z * z / n)
    last = np.r_[s[1:] != s[:-1], True]  # a cut sits between distinct scores
    good = np.flatnonzero((prec >= precision) & last)
    return float(s[good[-1]]) if len(good) else float("inf")
