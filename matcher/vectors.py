"""Member text -> vectors, cached in the store by model id and text hash.

A member has separate vectors for ``specialty``, ``offers`` and ``seeks`` (each phrase
embedded alone; the side's vector is the normalised mean of its phrases) and a ``profile``
vector of all their text together (used for roles and industry). :class:`MemberMatrix` is the
plain-array view the scorer works on: external ids at the edge, integer rows inside.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .embedding import DIM, text_hash
from .profiles import Member

SIDES = ("specialty", "offers", "seeks", "profile", "trade")


def profile_text(m: Member) -> str:
    parts = [m.headline, m.specialty]
    if m.offers:
        parts.append("Offers: " + "; ".join(m.offers))
    if m.seeks:
        parts.append("Seeks: " + "; ".join(m.seeks))
    return ". ".join(p.strip().rstrip(".") for p in parts if p and p.strip())


def trade_text(m: Member) -> str:
    """What the member *does*: headline, specialty and offers, without seeks (which name
    other people's trades). Used to look up the member's industry."""
    parts = [m.headline, m.specialty]
    if m.offers:
        parts.append("Offers: " + "; ".join(m.offers))
    return ". ".join(p.strip().rstrip(".") for p in parts if p and p.strip())


def member_texts(m: Member) -> list[str]:
    """Every text of ``m`` that gets its own vector."""
    return [m.specialty, profile_text(m), trade_text(m), *m.offers, *m.seeks]


def missing_texts(members: Sequence[Member], cached: Callable[[list[str]], set[str]]) -> list[str]:
    """Unique texts of ``members`` whose hash the cache lacks, in first-seen order."""
    texts = list(dict.fromkeys(t for m in members for t in member_texts(m)))
    have = cached([text_hash(t) for t in texts])
    return [t for t in texts if text_hash(t) not in have]


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return (v / np.clip(n, 1e-12, None)).astype(np.float32)


@dataclass
class MemberMatrix:
    """Vectors of a set of members, row ``i`` is ``members[i]``.

    Attributes
    ----------
    members : list of Member
    specialty, offers, seeks, profile, trade : ndarray of shape (n_members, 384)
        Unit rows; a side with no phrases falls back on the specialty vector.
    has_offers, has_seeks : ndarray of bool, shape (n_members,)
    phrase_vectors : dict of (member row, side) -> ndarray of shape (n_phrases, 384)
    """

    members: list[Member]
    specialty: np.ndarray
    offers: np.ndarray
    seeks: np.ndarray
    profile: np.ndarray
    trade: np.ndarray
    has_offers: np.ndarray
    has_seeks: np.ndarray
    phrase_vectors: dict[tuple[int, str], np.ndarray]

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.members]

    @cached_property
    def _index(self) -> dict[str, int]:
        return {m.id: i for i, m in enumerate(self.members)}

    def index(self, member_id: str) -> int:
        try:
            return self._index[member_id]
        except KeyError:
            from .errors import NotFound

            raise NotFound("member", member_id) from None

    def __contains__(self, member_id: str) -> bool:
        return member_id in self._index

    def __len__(self) -> int:
        return len(self.members)

    def subset(self, rows: Sequence[int]) -> MemberMatrix:
        rows = list(rows)
        pos = {r: k for k, r in enumerate(rows)}
        return MemberMatrix(
            members=[self.members[r] for r in rows],
            specialty=self.specialty[rows], offers=self.offers[rows], seeks=self.seeks[rows],
            profile=self.profile[rows], trade=self.trade[rows], has_offers=self.has_offers[rows],
            has_seeks=self.has_seeks[rows],
            phrase_vectors={(pos[r], s): v for (r, s), v in self.phrase_vectors.items() if r in pos},
        )

    @classmethod
    def build(cls, members: Sequence[Member], lookup: Callable[[str], np.ndarray]) -> MemberMatrix:
        """Assemble from ``lookup(text) -> unit vector`` (every text must be known)."""
        n = len(members)
        arrays = {s: np.zeros((n, DIM), dtype=np.float32) for s in SIDES}
        has = {"offers": np.zeros(n, bool), "seeks": np.zeros(n, bool)}
        phrases: dict[tuple[int, str], np.ndarray] = {}
        for i, m in enumerate(members):
            arrays["specialty"][i] = lookup(m.specialty)
            arrays["profile"][i] = lookup(profile_text(m))
            arrays["trade"][i] = lookup(trade_text(m))
            for side in ("offers", "seeks"):
                items = getattr(m, side)
                if items:
                    vecs = np.stack([lookup(p) for p in items])
                    phrases[(i, side)] = vecs
                    arrays[side][i] = _unit(vecs.mean(axis=0))
                    has[side][i] = True
                else:
                    arrays[side][i] = arrays["specialty"][i]
        return cls(members=list(members), **arrays, has_offers=has["offers"],
                   has_seeks=has["seeks"], phrase_vectors=phrases)


def industry_query(matrix: MemberMatrix) -> np.ndarray:
    """The vector to look a member's industry up with: :func:`trade_text` (headline,
    specialty, offers). The headline often names the trade outright ("Commercial Real Estate
    Broker"); seeks are left out because they name other people's trades. Shape (n, 384)."""
    return matrix.trade


def encode_members(members: Sequence[Member], encoder) -> MemberMatrix:
    """Embed members held in memory (no store), e.g. labelled training profiles."""
    texts = list(dict.fromkeys(t for m in members for t in member_texts(m)))
    vecs = dict(zip(texts, encoder.encode(texts), strict=True))
    return MemberMatrix.build(members, vecs.__getitem__)
