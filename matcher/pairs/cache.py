"""Phrase vectors computed once and kept in an npz (``data/needs/phrase_vectors.npz``), so
training, evaluation and tests never embed the labelled and generated phrases again.

The file holds ``texts`` (str), ``vectors`` (float16, unit rows) and ``model_id``; rows of a
different model are refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..embedding import MODEL_NAME

CACHE = Path(__file__).resolve().parents[2] / "data" / "needs" / "phrase_vectors.npz"


class PhraseCache:
    """text -> unit vector, backed by an npz; :meth:`ensure` embeds what is missing."""

    def __init__(self, path: Path = CACHE):
        self.path = Path(path)
        self._vec: dict[str, np.ndarray] = {}
        if self.path.is_file():
            with np.load(self.path, allow_pickle=False) as d:
                if str(d["model_id"]) != MODEL_NAME:
                    raise ValueError(f"{self.path}: vectors of model {str(d['model_id'])!r}, "
                                     f"expected {MODEL_NAME!r}; rebuild with matcher.pairs.fit")
                self._vec = dict(zip(d["texts"].tolist(), d["vectors"].astype(np.float32),
                                     strict=True))

    def ensure(self, texts, encoder=None, *, save: bool = True) -> PhraseCache:
        missing = list(dict.fromkeys(t for t in texts if t not in self._vec))
        if missing:
            if encoder is None:
                raise KeyError(f"{len(missing)} phrases have no cached vector, e.g. "
                               f"{missing[0]!r}; pass an encoder")
            for t, v in zip(missing, encoder.encode(missing), strict=True):
                self._vec[t] = np.asarray(v, dtype=np.float32)
            if save:
                self.save()
        return self

    def save(self) -> None:
        texts = sorted(self._vec)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(self.path, texts=np.array(texts),
                            vectors=np.stack([self._vec[t] for t in texts]).astype(np.float16),
                            model_id=np.array(MODEL_NAME))

    def __call__(self, texts) -> np.ndarray:
        """Unit vectors of ``texts``, shape (len(texts), 384)."""
        v = np.stack([self._vec[t] for t in texts]).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def __contains__(self, text: str) -> bool:
        return text in self._vec


class CachedEncoder:
    """An encoder that answers from a :class:`PhraseCache` and asks ``encoder`` (if any) only
    for texts the cache lacks, saving them: labelled profiles are embedded once."""

    def __init__(self, cache: PhraseCache | None = None, encoder=None):
        self.cache = cache
        self.encoder = encoder

    def encode(self, texts, **_) -> np.ndarray:
        cache = self.cache if self.cache is not None else PhraseCache()
        self.cache = cache
        return cache.ensure(texts, self.encoder)(list(texts))
