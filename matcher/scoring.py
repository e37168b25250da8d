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

__all__ = ["LATE", "RELATIONS", "PairScorer", "harmonic", "locality"]

LATE: tuple[str, ...] = ("offers_sim",)
"""Components a ranking reads only for the pairs that may make the cut
(:func:`matcher.recommend.best_scored`): one more pass over every member's offers."""


def locality(location: str) -> str:
    """Normalised town: 'Austin, TX' and 'austin,tx ' are one locality; '' is unknown."""
    return ",".join(p.strip().lower() for p in location.split(",") if p.strip())


def _rowdots(A: np.ndarray, V: np.ndarray) -> np.ndarray:
    """``A @ V.T`` row by row, shape (len(A), len(V)): each row's products are the same
    however many rows are asked (BLAS blocks matrix products by size, which changes the last
    bits of a score, and the pruned exact ranking needs the same numbers for a pair whichever
    other pairs are scored with it). ``np.vecdot`` is one dot per row and vector, every
    vector while the row is in cache: one pass over A for all of V."""
    return np.vecdot(A[:, None, :], np.asarray(V)[None, :, :])


def _dots(A: np.ndarray, V: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``_rowdots(A[rows], V)`` without copying A's rows when most of them are asked for."""
    if _most(rows, len(A)):
        return _rowdots(A, V)[rows]
    return _rowdots(A[rows], V)


def _most(rows: np.ndarray, n: int) -> bool:
    """Are ``rows`` enough of ``n`` that one pass over all n beats copying them out?"""
    return len(rows) * 4 > n


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
        self.owner = np.repeat(np.arange(len(counts)), counts)  # the member of each row

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

    def select(self, js: np.ndarray) -> _Selection:
        """The phrase rows of members ``js``: every row (a view, no copy) when most members
        are asked, else the rows of js copied out."""
        if _most(js, len(self.counts)):
            return _Selection(self, js, slice(None), self.owner, None)
        rows, pos = self.rows(js)
        return _Selection(self, js, rows, js[pos], pos)


class _Selection:
    """Phrase rows of some members (``vectors``; ``members``: whose each row is) and the
    per-member max of values over them, in the order of ``js``."""

    def __init__(self, phrases: _Phrases, js, rows, members, pos):
        self.phrases, self.js, self.rows, self.members, self._pos = (
            phrases, js, rows, members, pos)
        self.vectors = phrases.vectors[rows]

    def __len__(self) -> int:
        return len(self.vectors)

    def max(self, values: np.ndarray) -> np.ndarray:
        """Max of ``values`` (one per row, or one row of several per row) per member of
        ``js``, shape (len(js),) + values.shape[1:]; -inf for no rows."""
        if self._pos is not None:
            return _segment_max(values, self._pos, len(self.js))
        counts = self.phrases.counts
        out = np.full((len(counts),) + values.shape[1:], -np.inf)
        has = counts > 0
        if len(values):  # rows of one member are consecutive: one reduceat
            out[has] = np.maximum.reduceat(values, self.phrases.start[:-1][has], axis=0)
        return out[self.js]


def _segment_max(values: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Max of ``values`` (first axis) per owner in 0..n-1 (-inf for owners without values)."""
    out = np.full((n,) + values.shape[1:], -np.inf)
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
        names, self._company = np.unique(self.companies_, return_inverse=True)
        self._no_company = int(np.searchsorted(names, "")) if "" in names else -1
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
        serves and is not; per member the industry segments they serve and are not (their
        industry is not the segment's)."""
        seg = self.segments_
        own = np.zeros(len(self.codes_), dtype=np.uint64)
        for k, prefixes in enumerate(seg.naics):
            if prefixes:
                hit = np.array([c.startswith(prefixes) for c in self.codes_], dtype=bool)
                own[hit] |= np.uint64(1 << k)
        self.own_segments_ = own  # the customer segments each member is one of
        # only for industries can "is one" be read (from the member's NAICS code): a member
        # naming veterans, job seekers or seniors may be one, so those never count as served
        self.serves_not_is_ = self.customer_masks_ & ~own & np.uint64(seg.industries)
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
        return self._answers(i, np.asarray(js, dtype=int))[0]

    def _answers(self, i: int, js: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(:meth:`answer_cosines`, the specialty cosines of i with js): one pass over each
        matrix, for all of i's seek phrases (and i's specialty) at once."""
        m = self.matrix_
        q = self.seek_phrases_.of(i)
        spec = _dots(m.specialty, np.vstack([q, m.specialty[i][None, :]]), js)
        specialty_sim = spec[:, -1]
        if not len(q):
            return np.zeros((0, len(js))), specialty_sim
        who = np.maximum(spec[:, :-1], _dots(m.trade, q, js))  # (len(js), n_seeks)
        offers = self.offer_phrases_.select(js)
        if len(offers):
            who = np.maximum(who, offers.max(_rowdots(offers.vectors, q)))
        first = self.seek_phrases_.start[i]
        people = self.seek_people_[first:first + len(q)]
        if people.any():  # the seek asks for people the candidate serves and is not
            who[(people[None, :] & self.serves_not_is_[js][:, None]) != 0] = -np.inf
        return who.T, specialty_sim

    def _asked_cosines(self, i: int, js: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Best cosine with which i answers any seek of each of ``js``, and any of their
        seeks that asks for someone to refer work to (-inf: no such seek)."""
        m = self.matrix_
        seeks = self.seek_phrases_.select(js)
        if not len(seeks):
            return np.full(len(js), -np.inf), np.full(len(js), -np.inf)
        d = _rowdots(seeks.vectors, np.vstack([m.specialty[i], m.trade[i],
                                               self.offer_phrases_.of(i)]))
        sims = np.maximum(d[:, 0], d[:, 1])
        if d.shape[1] > 2:
            sims = np.maximum(sims, d[:, 2:].max(axis=1))
        serves = self.serves_not_is_[i]
        if serves:
            sims[(self.seek_people_[seeks.rows] & serves) != 0] = -np.inf
        refers = self.seek_refers_[seeks.rows]
        return seeks.max(sims), seeks.max(np.where(refers, sims, -np.inf))

    def fit_parts(self, i: int, js: np.ndarray) -> dict[str, np.ndarray]:
        """The components of a base score: both need-answer fits (and ``refer_fit``, the fit
        of seeks asking for someone to refer work to), industry and synergy; and
        ``specialty_sim`` (read in the same pass)."""
        js = np.asarray(js, dtype=int)
        nf = self.need_fit_
        ab, specialty_sim = self._answers(i, js)
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
                "synergy": self.synergy_[self.roles_[i], self.roles_[js]],
                "specialty_sim": specialty_sim}

    # -- components --------------------------------------------------------------------
    def components(self, i: int, js: np.ndarray, *, late: bool = True) -> dict[str, np.ndarray]:
        """Every component of the pairs (i, j) for j in ``js``; arrays of shape (len(js),).
        ``late=False`` leaves out the :data:`LATE` ones (:meth:`complete` adds them)."""
        self._check()
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
        c = {
            **self.fit_parts(i, js),
            "same_naics6": self.code_idx_[js] == self.code_idx_[i],
            "same_naics4": self._code4[js] == self._code4[i],
            "field_overlap": self.fields_.overlap(i, js),
            "same_market": same_market,
            "same_locality": (lj == li) | (lj == self._blank) | (li == self._blank),
            "customer_overlap": customer_overlap,
            "customers_known": customers_known,
        }
        return self.complete(i, js, c) if late else c

    def complete(self, i: int, js: np.ndarray, c: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """``c`` (components of (i, js) without the :data:`LATE` ones) with them added."""
        m = self.matrix_
        late = {"offers_sim": _dots(m.offers, m.offers[i][None, :], js)[:, 0]}
        out = {}
        for name, v in c.items():  # in the order components always had
            out[name] = v
            if name == "field_overlap":
                out.update(late)
        return {**out, **late}

    def reversed_components(self, x: int, js: np.ndarray,
                            c: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The components of the pairs (j, x) for j in ``js`` from ``c``, those of (x, j): the
        need-answer fits swap sides, industry and synergy are read the other way; every other
        component is symmetric (a pair's relation is)."""
        js = np.asarray(js, dtype=int)
        return {**c, "fit_ab": c["fit_ba"], "fit_ba": c["fit_ab"],
                "industry": self.industry_[self.code_idx_[js], self.code_idx_[x]],
                "synergy": self.synergy_[self.roles_[js], self.roles_[x]]}

    def score_components(self, c: dict[str, np.ndarray]):
        """(scores, relations, components) of pairs from their components (the seeker's view:
        ``fit_ab`` the seeker's need answered); the components gain the relation
        probabilities ``p_<relation>``."""
        model = self._model()
        X = self.features_.transform(c)
        proba = model.predict_proba(X)
        c = dict(c)
        for k, rel in enumerate(RELATIONS):
            c[f"p_{rel}"] = proba[:, k]
        return (model.score(X, proba, fit_ab=c["fit_ab"], fit_ba=c["fit_ba"]),
                model._decide(proba), c)

    def score_rows(self, i: int, js: np.ndarray):
        """(scores, relations, components) of member ``i`` against members ``js``; the
        components include the relation probabilities ``p_<relation>``."""
        return self.score_components(self.components(i, js))

    def base_scores(self, c: dict[str, np.ndarray]) -> np.ndarray:
        """Scores without the referral bonus, from components (they read no :data:`LATE`
        one), computed as :meth:`score_components` computes them: a score lies between this
        and this plus the referral bonus."""
        return self._model().base_score(c["fit_ab"], c["fit_ba"],
                                        np.asarray(c["industry"], dtype=np.float64),
                                        np.asarray(c["synergy"], dtype=np.float64))

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
        ci = self._company[i]
        if ci == self._no_company:
            return np.zeros(len(js), dtype=bool)
        return self._company[js] == ci
