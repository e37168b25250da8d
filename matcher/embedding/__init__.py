"""Sentence embeddings for profile text, offline and verified.

``get_encoder()`` returns the process-wide default encoder (ONNX Runtime); it loads the model
lazily, on the first ``encode``, so commands that need no new vectors never pay for it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from .encoders import OnnxEncoder, SentenceTransformerEncoder, mean_pool_normalise
from .weights import DIM, MODEL_NAME, WEIGHTS_SHA256, verify_weights

__all__ = [
    "DIM",
    "MODEL_NAME",
    "WEIGHTS_SHA256",
    "OnnxEncoder",
    "SentenceTransformerEncoder",
    "get_encoder",
    "mean_pool_normalise",
    "text_hash",
    "verify_weights",
]


def text_hash(text: str) -> str:
    """The cache key of a text: sha256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def get_encoder() -> OnnxEncoder:
    return OnnxEncoder()
