"""The engine facade: the one API both the CLI and the HTTP service call.

It owns a :class:`~matcher.store.Store` and an encoder, and turns requests ("import these
members", "who should X meet") into calls on the small modules that do the work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .embedding import get_encoder, text_hash
from .profiles import Member
from .store import Store
from .vectors import MemberMatrix, member_texts, missing_texts

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int
    encoded: int

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "encoded": self.encoded}


class Engine:
    """Parameters
    ----------
    store : Store
    encoder : object with ``model_id`` and ``encode(texts, progress=None)``, optional
        Defaults to the shared ONNX encoder, loaded only when a text needs a vector.
    """

    def __init__(self, store: Store, *, encoder=None):
        self.store = store
        self._encoder = encoder

    @property
    def encoder(self):
        if self._encoder is None:
            self._encoder = get_encoder()
        return self._encoder

    @property
    def model_id(self) -> str:
        return self._encoder.model_id if self._encoder is not None else _default_model_id()

    # -- members -----------------------------------------------------------------------
    def embed_missing(
        self, members: Sequence[Member], *, progress: Progress | None = None
    ) -> dict[str, np.ndarray]:
        """Vectors for the texts of ``members`` that the cache lacks (hash -> vector)."""
        model_id = self.model_id
        todo = missing_texts(members, lambda hs: set(self.store.vectors(model_id, hs)))
        if not todo:
            return {}
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(done, len(todo))

        vecs = self.encoder.encode(todo, progress=tick)
        return {text_hash(t): v for t, v in zip(todo, vecs, strict=True)}

    def import_members(
        self, members: Sequence[Member], *, progress: Progress | None = None
    ) -> ImportReport:
        """Upsert validated ``members`` and cache vectors of any text not seen before.

        Nothing is written unless everything is: vectors are computed first, then members and
        vectors land in one transaction.
        """
        new = self.embed_missing(members, progress=progress)
        counts = self.store.save_import(list(members), new, model_id=self.model_id)
        return ImportReport(**counts, encoded=len(new))

    def matrix(self, ids: Sequence[str] | None = None) -> MemberMatrix:
        """The vector view of the given members (all members by default)."""
        members = self.store.members(ids)
        if ids is not None:
            found = {m.id for m in members}
            missing = [i for i in ids if i not in found]
            if missing:
                from .errors import NotFound

                raise NotFound("member", missing[0])
            order = {i: k for k, i in enumerate(ids)}
            members.sort(key=lambda m: order[m.id])
        model_id = self.model_id
        hashes = [text_hash(t) for m in members for t in member_texts(m)]
        cache = self.store.vectors(model_id, hashes)
        if len(cache) < len(set(hashes)):  # e.g. members written by an older version
            new = self.embed_missing(members)
            self.store.put_vectors(new, model_id=model_id)
            cache.update(new)
        return MemberMatrix.build(members, lambda t: cache[text_hash(t)])


def _default_model_id() -> str:
    from .embedding import MODEL_NAME

    return MODEL_NAME
