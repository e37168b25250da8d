"""Labelled pairs as the scorer sees them: profiles, pairs and their components.

``data/labelled/pair_profiles.csv`` and ``pairs.csv`` hold hand-labelled pairs (complement,
referral-partner, competitor, peer); the ``split`` column says which pairs train the pair
model (``train``) and which were written as held-out sets before anything was tuned on them
(``heldout``: round 3a, seen while tuning since; ``heldout2``: round 5, fresh). Only ``train``
rows ever fit anything (:attr:`LabelledPairs.train`). :func:`labelled_pairs` embeds the
profiles (from the phrase cache, ``data/needs/phrase_vectors.npz``, so nothing is embedded
twice), fits a :class:`~matcher.scoring.PairScorer` on them and returns every pair's
components. Learning lives in :mod:`matcher.pairs.fit`, evaluation in
:mod:`matcher.pairs.quality`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .profiles import Member
from .vectors import encode_members, industry_query, profile_text

LABELLED = Path(__file__).resolve().parents[1] / "data" / "labelled"
PAIR_FIELDS = ("a", "b", "relation", "note", "split")
SPLITS = ("train", "heldout", "heldout2")


class LabelledDataError(ValueError):
    """A labelled file has a bad row."""


@dataclass
class LabelledPairs:
    scorer: object  # a fitted PairScorer over every labelled profile
    pairs: list[dict]  # rows of pairs.csv
    components: dict[str, np.ndarray]  # per pair, as PairScorer.components gives them

    @property
    def y(self) -> np.ndarray:
        return np.array([p["relation"] for p in self.pairs], dtype=object)

    @property
    def split(self) -> np.ndarray:
        return np.array([p["split"] for p in self.pairs], dtype=object)

    @property
    def train(self) -> np.ndarray:
        """Mask of the pairs that fit the model: ``split == "train"``, never a held-out split."""
        return self.split == "train"


def read_profiles(folder: Path = LABELLED) -> list[Member]:
    with open(folder / "pair_profiles.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for n, r in enumerate(rows, start=2):
        try:
            out.append(Member(id=r["id"], name=r["name"], headline=r["headline"],
                              specialty=r["specialty"], offers=r["offers"], seeks=r["seeks"],
                              location=r["location"]))
        except ValueError as e:
            raise LabelledDataError(f"pair_profiles.csv row {n} (id {r.get('id')!r}): {e}") from e
    return out


def read_pairs(folder: Path = LABELLED, ids: set[str] | None = None) -> list[dict]:
    from .pairs.model import RELATIONS

    with open(folder / "pairs.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    for n, r in enumerate(rows, start=2):
        if r.get("relation") not in RELATIONS:
            raise LabelledDataError(f"pairs.csv row {n}: relation {r.get('relation')!r}; "
                                    f"expected one of {RELATIONS}")
        if r.get("split") not in SPLITS:
            raise LabelledDataError(f"pairs.csv row {n}: split {r.get('split')!r}; "
                                    f"expected one of {SPLITS}")
        for side in ("a", "b"):
            if ids is not None and r[side] not in ids:
                raise LabelledDataError(f"pairs.csv row {n}: {side} {r[side]!r} is not in "
                                        f"pair_profiles.csv")
    return rows


def fit_scorer(members: list[Member], encoder, *, model=None, need_fit=None):
    """A PairScorer over ``members`` as the engine would fit one (industry, roles, niche)."""
    from .industry import default_index
    from .roles import RoleClassifier, load_taxonomy, role_features
    from .scoring import PairScorer

    matrix = encode_members(members, encoder)
    index = default_index()
    matches = index.infer(industry_query(matrix))
    markets = [m.market for m in matches]
    X = role_features(matrix.profile, [m.consumer_share for m in matches], markets)
    roles = RoleClassifier.load().predict(X, [profile_text(m) for m in members])
    return PairScorer(model=model, need_fit=need_fit).fit(
        matrix, codes=[m.code for m in matches], markets=markets, roles=roles,
        synergy=load_taxonomy().synergy, index=index)


def labelled_pairs(encoder, *, model=None, need_fit=None, folder: Path = LABELLED) -> LabelledPairs:
    """Components of every labelled pair (train and held-out), one scorer over all profiles."""
    members = read_profiles(folder)
    pairs = read_pairs(folder, {m.id for m in members})
    scorer = fit_scorer(members, encoder, model=model, need_fit=need_fit)
    m = scorer.matrix_
    comps = [scorer.components(m.index(p["a"]), np.array([m.index(p["b"])])) for p in pairs]
    c = {k: np.concatenate([x[k] for x in comps]) for k in comps[0]}
    return LabelledPairs(scorer, pairs, c)
