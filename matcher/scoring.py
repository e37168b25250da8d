"""Pair scores with every component kept, the relation of each pair, and the reasons.

For members A and B:

- ``fit_ab``: how well B answers A's stated needs, phrase to phrase: each of A's seek phrases
  against each of B's offer phrases *and* against who B is (specialty; headline, specialty and
  offers read as one ``trade`` text), the best answer per seek, the best-answered seek; as a
  calibrated probability (:class:`~matcher.pairs.need_fit.NeedFit`). ``fit_ba`` the other way.
  A member who wrote no seek has no stated need (fit 0 that way); nothing is zeroed the other
  way: A's score of B is driven by ``fit_ab``, with ``fit_ba`` (reciprocity) as a bonus
  (:mod:`matcher.pairs.model`).
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

Relations and scores come from the learned :class:`~matcher.pairs.model.PairModel` over the
named feature vector :class:`~matcher.pairs.features.PairFeatures` (``models/pair_relation.json``,
model card beside it).
"""

from __future__ import annotations

import re

import numpy as np

from .errors import NotFittedError
from .niche import overlap
from .pairs.features import PairFeatures
from .pairs.model import RELATIONS
from .profiles import ROLES
from .vectors import MemberMatrix

__all__ = ["RELATIONS", "PairScorer", "harmonic", "locality"]


def locality(location: str) -> str:
    """Normalised town: 'Austin, TX' and 'austin,tx ' are one locality; '' is unknown."""
    return ",".join(p.strip().lower() for p in location.split(",") if p.strip())


def _rowdot(A: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``A @ v`` row by row: each row's result is the same however many rows are asked (BLAS
    blocks matrix-vector products by size, which changes the last bits of a score)."""
    return np.einsum("ij,j->i", A, v)


def _dot(A: np.ndarray, v: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``A[rows] @ v`` without copying A's rows when most of them are asked for."""
    if len(rows) * 4 > len(A):
        return _rowdot(A, v)[rows]
    return _rowdot(A[rows], v)


# a seek for someone to refer work to: "a CPA to refer my clients' returns to", "a family-law
# attorney I can refer divorce questions to" (not "referrals at companies that are hiring")
_SELF = ROLES.index("self")
_REFER = re.compile(r"\brefer\b.*\bto\b", re.IGNORECASE)
_REFERRALS = re.compile(r"\brefer(?:s|red|ring|rals?)?\b", re.IGNORECASE)


def harmonic(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Harmonic mean of two arrays (0 where both are 0): the reciprocal baseline."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a + b > 0, 2 * a * b / (a + b), 0.0)


class _Phrases:
    """One side's phrase vectors of every member, stacked: rows ``start[i]:start[i+1]`` are
    member i's, ``texts`` the phrase behind each row. Members without phrase vectors use their
    side vector (all their phrases as one) when they have the side."""

    def __init__(self, matrix: MemberMatrix, side: str):
        has = matrix.has_seeks if side == "seeks" else matrix.has_offers
        side_vecs = getattr(matrix, side)
        blocks, counts, self.texts = [], np.zeros(len(matrix), dtype=np.int64), []
        for i, member in enumerate(matrix.members):
            v = matrix.phrase_vectors.get((i, side))
            phrases = list(getattr(member, side))
            if v is None and has[i]:
                v, phrases = side_vecs[i][None, :], ["; ".join(phrases)]
            if v is not None and len(v):
                blocks.append(np.asarray(v, dtype=np.float32))
                counts[i] = len(v)
                self.texts.extend(phrases if len(phrases) == len(v) else [""] * len(v))
        self.vectors = (np.concatenate(blocks) if blocks
                        else np.zeros((0, side_vecs.shape[1]), np.float32))
        self.start = np.r_[0, np.cumsum(counts)]
        self.counts = counts

    def of(self, i: int) -> np.ndarray:
        return self.vectors[self.start[i]:self.start[i + 1]]

    def texts_of(self, i: int) -> list[str]:
        return self.texts[self.start[i]:self.start[i + 1]]

    def rows(self, js: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(phrase rows of members js, concatenated; the position in js of each)."""
        n = self.counts[js]
        owner = np.repeat(np.arange(len(js)), n)
        first = np.repeat(self.start[js], n)
        offset = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        return first + offset, owner


def _segment_max(values: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Max of ``values`` per owner in 0..n-1 (-inf for owners without values)."""
    out = np.full(n, -np.inf)
    if len(values):
        np.maximum.at(out, owner, values)
    return out


class PairScorer:
    """Scores pairs of members of one :class:`MemberMatrix`.

    Parameters
    ----------
    model : PairModel or False, optional
        Relations and scores; ``models/pair_relation.json`` by default; ``False`` for a scorer
        that gives components only (training the model).
    need_fit : NeedFit, optional
        Phrase-pair cosine -> P(right answer); ``models/pair_need_fit.json`` by default.
    """

    def __init__(self, *, model=None, need_fit=None):
        self.model = model
        self.need_fit = need_fit

    def fit(self, matrix: MemberMatrix, *, codes: list[str], markets: list[str],
            roles: list[str], synergy: np.ndarray, index) -> PairScorer:
        from .pairs.model import MODEL_FILE, PairModel
        from .pairs.need_fit import NeedFit
        self.matrix_ = matrix
        self.need_fit_ = self.need_fit if self.need_fit is not None else NeedFit.load()
        if self.model is False:  # training (matcher.pairs.fit): components only
            self.model_ = None
        else:
            self.model_ = self.model if self.model is not None else PairModel.load(MODEL_FILE)
        self.features_ = PairFeatures()
        self.seek_phrases_ = _Phrases(matrix, "seeks")
        self.offer_phrases_ = _Phrases(matrix, "offers")
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
        self._fit_niche(roles)
        self._fit_people()
        return self

    def _fit_people(self) -> None:
        """A seller's seek naming their own customers ("managing partners at small law firms"
        from an IT firm for law firms, "dental office managers" from a dental-office cleaner)
        asks for more of them: it is answered by being one, not by serving them too. Per seek
        phrase the customer segments it names that its writer, a seller (``SELLER_ROLES``),
        serves and is not; per member the segments they serve and are not (their industry is
        not the segment's)."""
        seg = self.segments_
        own = np.zeros(len(self.codes_), dtype=np.uint64)
        for k, prefixes in enumerate(seg.naics):
            if prefixes:
                hit = np.array([c.startswith(prefixes) for c in self.codes_], dtype=bool)
                own[hit] |= np.uint64(1 << k)
        self.own_segments_ = own  # the customer segments each member is one of
        self.serves_not_is_ = self.customer_masks_ & ~own
        owner = np.repeat(np.arange(len(self.codes_)), self.seek_phrases_.counts)
        named = np.array([seg.mask(t) for t in self.seek_phrases_.texts], dtype=np.uint64)
        self.seek_refers_ = np.array([bool(_REFER.search(t)) for t in self.seek_phrases_.texts],
                                     dtype=bool)
        # a seek for referrals ("planners who can refer couples", "referrals from consultants
        # who serve law firms") asks for people who serve the same customers
        named[np.array([bool(_REFERRALS.search(t)) for t in self.seek_phrases_.texts],
                       dtype=bool)] = 0
        from .niche import SELLER_ROLES

        sellers = np.array([ROLES[r] in SELLER_ROLES for r in self.roles_], dtype=bool)
        self.seek_people_ = (np.where(sellers[owner], named & self.serves_not_is_[owner],
                                      np.uint64(0)) if len(named) else named)

    def _both_self(self, i: int, js: np.ndarray) -> np.ndarray:
        """Bool per j: i and j are both "self" (job seekers, freelancers)."""
        return (self.roles_[i] == _SELF) & (self.roles_[js] == _SELF)

    def _serving_not_being(self, seek_rows: np.ndarray, answerers: np.ndarray) -> np.ndarray:
        """Bool: the answerer serves the people the seek asks for, rather than being one."""
        return (self.seek_people_[seek_rows] & self.serves_not_is_[answerers]) != 0

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

    def _model(self):
        self._check()
        if self.model_ is None:
            raise NotFittedError("no pair model: fit one with `python -m matcher.pairs.fit`")
        return self.model_

    # -- need-answer fit, phrase to phrase ---------------------------------------------
    def answer_cosines(self, i: int, js: np.ndarray) -> np.ndarray:
        """Cosine of the best answer each of i's seek phrases gets from each of ``js``: of
        their offer phrases, specialty and trade text; shape (n_seeks_i, len(js)).

        A seller's seek naming their own customers is not answered by serving them too
        (:meth:`_fit_people`). The rule that between two job seekers only offers answer binds
        what a reason may claim (:func:`matcher.reasons.need_answer`), not the ranking: it
        reads roles inferred from text, which outside profiles make wrong often enough (an
        HR director or a career coach read as a job seeker) to bury the one right answer."""
        m = self.matrix_
        q = self.seek_phrases_.of(i)
        if not len(q):
            return np.zeros((0, len(js)))
        # matrix-vector products only: each pair's cosine is then the same whichever other
        # members are scored with it (a matrix product's blocking changes the last bits)
        spec, trade = m.specialty[js], m.trade[js]
        best = np.stack([np.maximum(_rowdot(spec, v), _rowdot(trade, v)) for v in q])
        rows, owner = self.offer_phrases_.rows(js)
        if len(rows):
            phrases = self.offer_phrases_.vectors[rows]
            for k, v in enumerate(q):
                best[k] = np.maximum(best[k], _segment_max(_rowdot(phrases, v), owner, len(js)))
        first = self.seek_phrases_.start[i]
        for k in range(len(q)):
            best[k] = np.where(self._serving_not_being(np.array([first + k]), js), -np.inf,
                               best[k])
        return best

    def _asked_cosines(self, i: int, js: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Best cosine with which i answers any seek of each of ``js``, and any of their
        seeks that asks for someone to refer work to (-inf: no such seek)."""
        m = self.matrix_
        rows, owner = self.seek_phrases_.rows(js)
        if not len(rows):
            return np.full(len(js), -np.inf), np.full(len(js), -np.inf)
        seeks = self.seek_phrases_.vectors[rows]
        who = np.maximum(_rowdot(seeks, m.specialty[i]), _rowdot(seeks, m.trade[i]))
        offers = self.offer_phrases_.of(i)
        sims = np.max([who, *(_rowdot(seeks, v) for v in offers)], axis=0)
        sims = np.where(self._serving_not_being(rows, np.full(len(rows), i)), -np.inf, sims)
        refers = self.seek_refers_[rows]
        return (_segment_max(sims, owner, len(js)),
                _segment_max(sims[refers], owner[refers], len(js)))

    def fit_parts(self, i: int, js: np.ndarray) -> dict[str, np.ndarray]:
        """The components of a base score: both need-answer fits (and ``refer_fit``, the fit
        of seeks asking for someone to refer work to), industry and synergy."""
        js = np.asarray(js, dtype=int)
        nf = self.need_fit_
        ab = self.answer_cosines(i, js)
        first, n_seeks = self.seek_phrases_.start[i], len(ab)
        refers = self.seek_refers_[first:first + n_seeks]
        cos_ab = ab.max(axis=0) if n_seeks else np.full(len(js), -np.inf)
        ref_ab = ab[refers].max(axis=0) if refers.any() else np.full(len(js), -np.inf)
        cos_ba, ref_ba = self._asked_cosines(i, js)

        def proba(cos):
            ok = np.isfinite(cos)
            return np.where(ok, nf.proba(np.where(ok, cos, 0.0)), 0.0)

        return {"fit_ab": proba(cos_ab), "fit_ba": proba(cos_ba),
                "refer_fit": proba(np.maximum(ref_ab, ref_ba)),
                "industry": self.industry_[self.code_idx_[i], self.code_idx_[js]],
                "synergy": self.synergy_[self.roles_[i], self.roles_[js]]}

    # -- components --------------------------------------------------------------------
    def _cheap(self, i: int, js: np.ndarray, parts: dict) -> dict[str, np.ndarray]:
        m = self.matrix_
        return {**parts,
                "specialty_sim": _dot(m.specialty, m.specialty[i], js),
                "same_naics6": self.code_idx_[js] == self.code_idx_[i],
                "same_naics4": self._code4[js] == self._code4[i],
                "field_overlap": self.fields_.overlap(i, js)}

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
        return {
            **self._cheap(i, js, self.fit_parts(i, js)),
            "offers_sim": _dot(m.offers, m.offers[i], js),
            "same_market": same_market,
            "same_locality": (lj == li) | (lj == self._blank) | (li == self._blank),
            "customer_overlap": customer_overlap,
            "customers_known": customers_known,
        }

    def score_rows(self, i: int, js: np.ndarray):
        """(scores, relations, components) of member ``i`` against members ``js``; the
        components include the relation probabilities ``p_<relation>``."""
        c = self.components(i, js)
        model = self._model()
        X = self.features_.transform(c)
        proba = model.predict_proba(X)
        for k, rel in enumerate(RELATIONS):
            c[f"p_{rel}"] = proba[:, k]
        return (model.score(X, proba, fit_ab=c["fit_ab"], fit_ba=c["fit_ba"]),
                model._decide(proba), c)

    def base_scores(self, i: int, js: np.ndarray) -> np.ndarray:
        """Scores of (i, j) without the referral bonus: a lower bound of the score."""
        p = self.fit_parts(i, np.asarray(js, dtype=int))
        return self._model().base_score(p["fit_ab"], p["fit_ba"], p["industry"], p["synergy"])

    def score_upper(self, i: int, js: np.ndarray, base: np.ndarray | None = None) -> np.ndarray:
        """An upper bound of the score of (i, j), from the model: the base score plus the
        referral bonus times the largest P(referral-partner) the cheap features allow."""
        js = np.asarray(js, dtype=int)
        model = self._model()
        parts = self.fit_parts(i, js)
        cheap = self._cheap(i, js, parts)
        cheap["fit_max"] = np.maximum(parts["fit_ab"], parts["fit_ba"])
        cheap["fit_min"] = np.minimum(parts["fit_ab"], parts["fit_ba"])
        if base is None:
            base = model.base_score(parts["fit_ab"], parts["fit_ba"], parts["industry"],
                                    parts["synergy"])
        lo, hi = self.features_.bounds(cheap)
        return base + model.referral_bonus * model.referral_upper(lo, hi)

    def base_scores_many(self, rows: np.ndarray) -> np.ndarray:
        """:meth:`base_scores` of each of ``rows`` against every member, shape (len(rows), n)."""
        self._check()
        everyone = np.arange(len(self.matrix_))
        return np.stack([self.base_scores(int(i), everyone) for i in np.asarray(rows, int)])

    def score_matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """(scores, relations), each of shape (n, n); the diagonal is 0 / 'self'. A pair's
        score here is the mean of the two members' directional scores (one score per pair, for
        tables and introductions); the directional scores (row i: how i's recommendations rank
        each member) are kept as ``directional_`` for the exposure cap."""
        n = len(self.matrix_)
        S = np.zeros((n, n))
        R = np.full((n, n), "self", dtype=object)
        everyone = np.arange(n)
        for i in range(n):
            s, r, _ = self.score_rows(i, everyone)
            S[i], R[i] = s, r
        self.directional_ = S.copy()  # row i: i's view, as recommendations rank (the cap)
        np.fill_diagonal(self.directional_, 0.0)
        S = (S + S.T) / 2  # each side's view, averaged: one score per pair (tables)
        np.fill_diagonal(S, 0.0)
        R[everyone, everyone] = "self"
        return S, R

    def same_company(self, i: int, js: np.ndarray) -> np.ndarray:
        ci = self.companies_[i]
        return (self.companies_[js] == ci) & (ci != "")
