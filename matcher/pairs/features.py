"""The named feature vector of a pair of members, built in one place.

:class:`PairFeatures` turns the components of pairs (:meth:`PairScorer.components`, arrays over
pairs) into a matrix of shape (n_pairs, n_features) whose columns are :data:`FEATURES`. Every
feature is symmetric in the two members (the relation is).

Features
--------
fit_max, fit_min
    The better and the worse of the two need-answer fits (:mod:`matcher.pairs.need_fit`): per
    direction, the probability that the best answer to the best-answered seek is right.
refer_fit
    The same for seeks that ask for someone to refer work to ("a CPA to refer my clients'
    returns to"): a need answered that way marks referral partners, not a sale.
industry
    BEA 2017 buyer-supplier strength between the two inferred industries.
synergy
    The role taxonomy's matrix.
specialty_sim, offers_sim
    Cosines of the two specialties and of the two offer sides.
same_naics6, same_naics4, field_overlap
    One industry by the guess, one industry group, one's group among the other's offers.
same_market, same_locality
    Overlapping market (consumers/businesses), same town (or one unknown).
same_customers, other_customers
    Both name customers: the Jaccard overlap of the named segments; 1 when both name
    customers and share none.
local_specialty, local_offers
    ``same_locality`` times specialty_sim and offers_sim: a competitor is the same trade *in
    the same town*, a conjunction a linear model needs spelled out (it raised grouped-CV
    macro-F1 and competitor recall at precision 0.95; see the model card).
"""

from __future__ import annotations

import numpy as np

FEATURES: tuple[str, ...] = (
    "fit_max", "fit_min", "refer_fit", "industry", "synergy", "specialty_sim", "offers_sim",
    "same_naics6", "same_naics4", "field_overlap", "same_market", "same_locality",
    "same_customers", "other_customers", "local_specialty", "local_offers",
)


class PairFeatures:
    """Components dict -> feature matrix, columns :data:`FEATURES`.

    Examples
    --------
    >>> import numpy as np
    >>> c = {k: np.array([0.0]) for k in ("industry", "synergy", "specialty_sim",
    ...      "offers_sim", "field_overlap", "customer_overlap")}
    >>> c.update(fit_ab=np.array([0.9]), fit_ba=np.array([0.2]), same_naics6=np.array([False]),
    ...          same_naics4=np.array([False]), same_market=np.array([True]),
    ...          same_locality=np.array([True]), customers_known=np.array([False]))
    >>> X = PairFeatures().transform(c)
    >>> X.shape == (1, len(FEATURES)), float(X[0, 0]), float(X[0, 1])
    (True, 0.9, 0.2)
    """

    names = FEATURES

    def transform(self, c: dict[str, np.ndarray]) -> np.ndarray:
        cols = self.columns(c)
        return np.column_stack([cols[f] for f in FEATURES]).astype(np.float64)

    def columns(self, c: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        f = {k: np.asarray(v, dtype=np.float64) for k, v in c.items()}
        n = len(f["fit_ab"])
        known = f.get("customers_known", np.zeros(n))
        overlap = f.get("customer_overlap", np.zeros(n))
        out = {
            "fit_max": np.maximum(f["fit_ab"], f["fit_ba"]),
            "fit_min": np.minimum(f["fit_ab"], f["fit_ba"]),
            "refer_fit": f.get("refer_fit", np.zeros(n)),
            "industry": f["industry"], "synergy": f["synergy"],
            "specialty_sim": f["specialty_sim"], "offers_sim": f["offers_sim"],
            "same_naics6": f["same_naics6"], "same_naics4": f["same_naics4"],
            "field_overlap": f.get("field_overlap", f["same_naics4"]),
            "same_market": f["same_market"], "same_locality": f["same_locality"],
            "same_customers": known * overlap,
            "other_customers": known * (overlap <= 0),
        }
        out["local_specialty"] = out["same_locality"] * out["specialty_sim"]
        out["local_offers"] = out["same_locality"] * out["offers_sim"]
        return out
