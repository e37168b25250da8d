"""Pair scores with every component kept, the relation of each pair, and the reasons.

For members A and B:

- ``fit_ab``: how well B's offers answer A's seeks (cosine, ramped to [0, 1]); ``fit_ba`` the
  other way; ``mutual`` their harmonic mean, so a one-sided pitch scores below a mutual fit.
  A member without offers or seeks falls back on their specialty.
- ``industry``: BEA 2017 buyer-supplier strength between the two inferred industries.
- ``synergy``: the role taxonomy's matrix (overridable per event).
- ``specialty_sim``, ``offers_sim``, ``same_naics6``, ``same_naics4``, ``same_market``,
  ``same_locality``: what tells competitors from referral partners.
- the niche (:mod:`matcher.niche`, read once per member at fit time): ``customer_overlap``, the
  Jaccard overlap of the customer segments both name ("law firms", "restaurants and bars"),
  with ``customers_known`` when both name any; ``field_overlap``, 1.0 for the same 4-digit
  industry, else the share of one member's offers that read as the other's industry group.
  A B2B provider's industry guess that is their own customers' industry (IT for dental offices
  guessed as dentists) is looked up again without it.

Relations (thresholds are data, ``data/pair_thresholds.json``, calibrated on labelled pairs):
``competitor`` = same 6-digit industry (or specialties so close that the industry guess must
have differed by noise) AND overlapping market (or the same named customers) AND same locality
AND near-identical specialty and offers (offers worded apart suffice for the same customers in
one industry), never with different named customers; ``referral-partner`` = same field (same
4-digit industry, close specialties and offers, one's industry among the other's offers, or one
trade with different customers) otherwise; ``complement`` = a real need-offer fit or
buyer-supplier link; ``peer`` = none of these.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import NotFittedError
from .niche import overlap
from .vectors import MemberMatrix

RELATIONS = ("complement", "referral-partner", "competitor", "peer")
THRESHOLDS_FILE = Path(__file__).resolve().parents[1] / "data" / "pair_thresholds.json"
FIT_LOW, FIT_HIGH = 0.15, 0.65  # cosine ramp for need-offer fit
WEIGHTS = {"mutual": 0.6, "industry": 0.15, "synergy": 0.25}
REFERRAL_BONUS = 0.15


@dataclass(frozen=True)
class Thresholds:
    competitor_specialty: float = 0.7
    competitor_offers: float = 0.6
    competitor_field: float = 0.8  # specialty this close counts as one trade even if NAICS differs
    field_specialty: float = 0.55
    field_offers: float = 0.45
    complement_mutual: float = 0.3
    complement_industry: float = 0.3
    customers_same: float = 0.5  # customer_overlap this high: the same customers
    # for one industry serving the same customers, offers worded apart are enough if the
    # specialties say the same niche
    competitor_specialty_same_customers: float = 0.6
    competitor_offers_same_customers: float = 0.45
    field_industry: float = 0.5  # field_overlap this high: one field even if NAICS differs

    @classmethod
    def load(cls, path: Path = THRESHOLDS_FILE) -> Thresholds:
        if not Path(path).is_file():
            return cls()
        doc = json.loads(Path(path).read_text())
        return cls(**doc["thresholds"])


def locality(location: str) -> str:
    """Normalised town: 'Austin, TX' and 'austin,tx ' are one locality; '' is unknown."""
    return ",".join(p.strip().lower() for p in location.split(",") if p.strip())


def _ramp(cos: np.ndarray) -> np.ndarray:
    return np.clip((cos - FIT_LOW) / (FIT_HIGH - FIT_LOW), 0.0, 1.0)


def _dot(A: np.ndarray, v: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``A[rows] @ v`` without copying A's rows when most of them are asked for."""
    if len(rows) * 4 > len(A):
        return (A @ v)[rows]
    return A[rows] @ v


def harmonic(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a + b > 0, 2 * a * b / (a + b), 0.0)


class PairScorer:
    """Scores pairs of members of one :class:`MemberMatrix`.

    Parameters
    ----------
    thresholds : Thresholds, optional
        Relation thresholds; the calibrated ones from ``data/pair_thresholds.json`` by default.
    weights : dict, optional
        Weights of ``mutual``, ``industry`` and ``synergy`` in the score.
    """

    def __init__(self, *, thresholds: Thresholds | None = None, weights: dict | None = None):
        self.thresholds = thresholds
        self.weights = weights

    def fit(self, matrix: MemberMatrix, *, codes: list[str], markets: list[str],
            roles: list[str], synergy: np.ndarray, index) -> PairScorer:
        from .profiles import ROLES

        self.matrix_ = matrix
        self.thresholds_ = self.thresholds or Thresholds.load()
        self.weights_ = self.weights or WEIGHTS
        self.index_ = index
        codes, markets = self._fit_customers(codes, markets, roles)
        self.codes_ = np.array(codes)
        self.code4_ = np.array([c[:4] for c in codes])
        self.markets_ = np.array(markets)
        self.localities_ = np.array([locality(m.location) for m in matrix.members])
        # integer codes of the same facts, for fast vectorised comparisons
        self._code4 = np.unique(self.code4_, return_inverse=True)[1]
        self._market = np.unique(self.markets_, return_inverse=True)[1]
        both = np.flatnonzero(np.unique(self.markets_) == "both")
        self._both = int(both[0]) if len(both) else -1
        locs, self._loc = np.unique(self.localities_, return_inverse=True)
        blank = np.flatnonzero(locs == "")
        self._blank = int(blank[0]) if len(blank) else -1
        self.companies_ = np.array([m.company.strip().lower() for m in matrix.members])
        self.opt_out_ = np.array([bool(m.opt_out) for m in matrix.members], dtype=bool)
        self.roles_ = np.array([ROLES.index(r) for r in roles])
        self.synergy_ = np.asarray(synergy)
        uniq, self.code_idx_ = np.unique(self.codes_, return_inverse=True)
        self.industry_ = index.complementarity(list(uniq), list(uniq))
        self.index_ = index
        self._fit_niche(roles)
        return self

    def _fit_customers(self, codes: list[str], markets: list[str], roles: list[str]):
        """Per member, once: the customer segments they name; industry guesses that are a B2B
        seller's own customers' industry are looked up again without it (matcher/niche.py)."""
        from .niche import default_segments, reread_industries

        self.segments_ = default_segments()
        self.customer_masks_ = self.segments_.masks(self.matrix_.members)
        self._any_customers = bool(self.customer_masks_.any())
        codes, markets, self.reread_ = reread_industries(
            codes, markets, roles=roles, masks=self.customer_masks_, segments=self.segments_,
            vectors=self.matrix_.trade, index=self.index_)
        return codes, markets

    def _fit_niche(self, roles: list[str]) -> None:
        """Per member, once: the industry groups their offers are in (matcher/niche.py)."""
        from .niche import SELLER_ROLES, FieldReadings

        m = self.matrix_
        codes4, groups = np.unique(self.code4_, return_inverse=True)
        self.fields_ = FieldReadings().fit(
            groups=groups, group_codes=codes4, phrase_vectors=m.phrase_vectors,
            sellers=np.array([r in SELLER_ROLES for r in roles], dtype=bool),
            customer_industries=[self.segments_.customer_industries(k)
                                 for k in self.customer_masks_],
            index=self.index_)

    def _check(self) -> None:
        if not hasattr(self, "matrix_"):
            raise NotFittedError("PairScorer is not fitted")

    # -- components --------------------------------------------------------------------
    def components(self, i: int, js: np.ndarray) -> dict[str, np.ndarray]:
        """Every component of the pairs (i, j) for j in ``js``; arrays of shape (len(js),)."""
        self._check()
        m = self.matrix_
        js = np.asarray(js, dtype=int)
        mi, mj = self._market[i], self._market[js]
        same_market = (mj == mi) | (mj == self._both) | (mi == self._both)
        li, lj = self._loc[i], self._loc[js]
        # niche (matcher/niche.py): who each serves, and one's industry among the other's offers
        if self._any_customers:
            masks = self.customer_masks_
            customer_overlap = overlap(masks[i], masks[js])
            customers_known = (masks[js] != 0) & (masks[i] != 0)
        else:  # e.g. synthetic members without text: nothing to compare
            customer_overlap, customers_known = np.zeros(len(js)), np.zeros(len(js), dtype=bool)
        field_overlap = self.fields_.overlap(i, js)
        return {
            **self.fit_parts(i, js),
            "specialty_sim": _dot(m.specialty, m.specialty[i], js),
            "offers_sim": _dot(m.offers, m.offers[i], js),
            "same_naics6": self.code_idx_[js] == self.code_idx_[i],
            "same_naics4": self._code4[js] == self._code4[i],
            "same_market": same_market,
            "same_locality": (lj == li) | (lj == self._blank) | (li == self._blank),
            "customer_overlap": customer_overlap,
            "customers_known": customers_known,
            "field_overlap": field_overlap,
        }

    def relations(self, c: dict[str, np.ndarray]) -> np.ndarray:
        return classify(c, self.thresholds_)

    def scores(self, c: dict[str, np.ndarray], relations: np.ndarray) -> np.ndarray:
        """Weighted need-offer fit, industry and synergy, plus the referral-partner bonus."""
        return np.clip(self._weighted(c) + REFERRAL_BONUS * (relations == "referral-partner"),
                       0.0, 1.0)

    def _weighted(self, c: dict[str, np.ndarray]) -> np.ndarray:
        w = self.weights_
        return w["mutual"] * c["mutual"] + w["industry"] * c["industry"] + w["synergy"] * c["synergy"]

    def fit_parts(self, i: int, js: np.ndarray) -> dict[str, np.ndarray]:
        """The components a score is made of (no relation features): two matrix-vector
        products and two table lookups."""
        m = self.matrix_
        js = np.asarray(js, dtype=int)
        fit_ab = _ramp(_dot(m.offers, m.seeks[i], js))  # j's offers answer i's seeks
        fit_ba = _ramp(_dot(m.seeks, m.offers[i], js))
        return {"fit_ab": fit_ab, "fit_ba": fit_ba, "mutual": harmonic(fit_ab, fit_ba),
                "industry": self.industry_[self.code_idx_[i], self.code_idx_[js]],
                "synergy": self.synergy_[self.roles_[i], self.roles_[js]]}

    def base_scores(self, i: int, js: np.ndarray) -> np.ndarray:
        """Scores of (i, j) without the referral bonus: a lower bound of the score, and the
        score is at most this plus ``REFERRAL_BONUS`` (see ``recommend.best_scored``)."""
        self._check()
        return self._weighted(self.fit_parts(i, js))

    def may_be_referral(self, i: int, js: np.ndarray) -> np.ndarray:
        """Bool mask of the pairs (i, j) that could be referral partners (:func:`could_be_field`),
        the only pairs whose score can exceed their base score."""
        self._check()
        m = self.matrix_
        js = np.asarray(js, dtype=int)
        return could_be_field({"specialty_sim": _dot(m.specialty, m.specialty[i], js),
                               "same_naics4": self._code4[js] == self._code4[i],
                               "field_overlap": self.fields_.overlap(i, js)}, self.thresholds_)

    def base_scores_many(self, rows: np.ndarray) -> np.ndarray:
        """:meth:`base_scores` of each of ``rows`` against every member, shape (len(rows), n):
        two matrix products, far cheaper per row than one matrix-vector product each."""
        self._check()
        m = self.matrix_
        rows = np.asarray(rows, dtype=int)
        fit_ab = _ramp(m.seeks[rows] @ m.offers.T)  # j's offers answer i's seeks
        fit_ba = _ramp(m.offers[rows] @ m.seeks.T)
        return self._weighted({
            "mutual": harmonic(fit_ab, fit_ba),
            "industry": self.industry_[self.code_idx_[rows][:, None], self.code_idx_],
            "synergy": self.synergy_[self.roles_[rows][:, None], self.roles_]})

    def score_rows(self, i: int, js: np.ndarray):
        """(scores, relations, components) of member ``i`` against members ``js``."""
        c = self.components(i, js)
        rel = self.relations(c)
        return self.scores(c, rel), rel, c

    def score_matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """(scores, relations), each of shape (n, n); the diagonal is 0 / 'self'."""
        n = len(self.matrix_)
        S = np.zeros((n, n))
        R = np.full((n, n), "self", dtype=object)
        everyone = np.arange(n)
        for i in range(n):
            s, r, _ = self.score_rows(i, everyone)
            S[i], R[i] = s, r
        S = (S + S.T) / 2  # fit_ab/fit_ba swap roles; keep the matrix exactly symmetric
        np.fill_diagonal(S, 0.0)
        R[everyone, everyone] = "self"
        return S, R

    def same_company(self, i: int, js: np.ndarray) -> np.ndarray:
        ci = self.companies_[i]
        return (self.companies_[js] == ci) & (ci != "")


def could_be_field(c: dict[str, np.ndarray], t: Thresholds) -> np.ndarray:
    """A superset of the pairs :func:`classify` calls referral partners, from three cheap
    components (specialty_sim, same_naics4, field_overlap): see ``field`` there."""
    return ((c["specialty_sim"] >= min(t.field_specialty, t.competitor_field))
            | c["same_naics4"] | (c["field_overlap"] >= t.field_industry))


def classify(c: dict[str, np.ndarray], t: Thresholds) -> np.ndarray:
    """The relation of each pair from its components (vectorised).

    The niche components are optional (toy dicts may leave them out): without
    ``customers_known`` no customers are known, without ``field_overlap`` only the same 4-digit
    industry is one field.
    """
    n = len(c["same_naics6"])
    known = c.get("customers_known", np.zeros(n, dtype=bool))
    same_customers = known & (c.get("customer_overlap", np.zeros(n)) >= t.customers_same)
    other_customers = known & (c.get("customer_overlap", np.zeros(n)) <= 0)
    field_overlap = c.get("field_overlap", c["same_naics4"].astype(float))
    same_trade = c["same_naics6"] | (c["specialty_sim"] >= t.competitor_field)
    one_industry = field_overlap >= t.field_industry  # by guess, or one's among the other's offers
    alike = (
        (c["specialty_sim"] >= t.competitor_specialty) & (c["offers_sim"] >= t.competitor_offers)
    ) | (
        same_customers & one_industry
        & (c["specialty_sim"] >= t.competitor_specialty_same_customers)
        & (c["offers_sim"] >= t.competitor_offers_same_customers)
    )
    competitor = (
        same_trade & (c["same_market"] | same_customers) & c["same_locality"] & alike
        & ~other_customers
    )
    field = (  # keep could_be_field a superset of this
        c["same_naics4"]
        | ((c["specialty_sim"] >= t.field_specialty) & (c["offers_sim"] >= t.field_offers))
        | one_industry
        | (same_trade & other_customers)
    )
    complement = (c["mutual"] >= t.complement_mutual) | (c["industry"] >= t.complement_industry)
    return np.select([competitor, field, complement], ["competitor", "referral-partner", "complement"],
                     default="peer").astype(object)
