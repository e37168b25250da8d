"""Sentence encoders: ONNX Runtime (the default, no torch) and sentence-transformers (the
reference). Both return L2-normalised float32 arrays of shape (n_texts, 384) and count
how many texts they encoded in ``n_encoded``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..errors import ModelIntegrityError
from .weights import (
    DIM,
    MAX_TOKENS,
    MODEL_NAME,
    WEIGHTS_SHA256,
    onnx_dir,
    sha256_file,
    verify_weights,
)

Progress = Callable[[int], None]


class OnnxEncoder:
    """all-MiniLM-L6-v2 on ONNX Runtime: tokenise, run, mean-pool, L2-normalise.

    Parameters
    ----------
    folder : path, optional
        The ONNX export (``model.onnx``, ``tokenizer.json``, ``manifest.json``).
    batch_size : int
        Texts per forward pass; texts are sorted by length so that padding stays small.
    threads : int
        ONNX Runtime intra-op threads.
    """

    model_id = MODEL_NAME
    dim = DIM

    def __init__(self, folder: Path | None = None, *, batch_size: int = 64, threads: int = 2):
        self.folder = Path(folder) if folder else onnx_dir()
        self.batch_size = batch_size
        self.threads = threads
        self.n_encoded = 0
        self._session = None
        self._tokenizer = None

    def _load(self) -> None:
        manifest_path = self.folder / "manifest.json"
        model_path = self.folder / "model.onnx"
        if not manifest_path.is_file() or not model_path.is_file():
            raise ModelIntegrityError(
                f"no ONNX export at {self.folder}; run `python -m matcher.embedding.export` "
                "(make does this)"
            )
        verify_weights()
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("source_sha256") != WEIGHTS_SHA256:
            raise ModelIntegrityError(
                f"{model_path} was exported from other weights; re-run the export with --force"
            )
        if sha256_file(model_path) != manifest.get("onnx_sha256"):
            raise ModelIntegrityError(f"refusing to load {model_path}: its sha256 changed since export")

        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )
        tok = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        tok.enable_truncation(max_length=MAX_TOKENS)
        tok.enable_padding(pad_id=0, pad_token="[PAD]")
        self._tokenizer = tok

    def encode(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        """Encode ``texts``; returns ndarray of shape (len(texts), 384), float32, unit rows."""
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        if self._session is None:
            self._load()
        order = np.argsort([len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), self.batch_size):
            idx = order[start : start + self.batch_size]
            enc = self._tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            (hidden,) = self._session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )
            out[idx] = mean_pool_normalise(hidden, mask)
            if progress:
                progress(len(idx))
        self.n_encoded += len(texts)
        return out


def mean_pool_normalise(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of token vectors over the attention mask, then L2 normalisation."""
    m = mask[..., None].astype(np.float32)
    pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


class SentenceTransformerEncoder:
    """The reference: sentence-transformers on torch, loaded offline from the verified files."""

    model_id = MODEL_NAME
    dim = DIM

    def __init__(self, *, batch_size: int = 64):
        self.batch_size = batch_size
        self.n_encoded = 0
        self._model = None

    def encode(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        texts = list(texts)
        if self._model is None:
            from .weights import model_dir

            folder = model_dir()
            verify_weights(folder)
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        vecs = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        ).astype(np.float32)
        if progress:
            progress(len(texts))
        self.n_encoded += len(texts)
        return vecs.reshape(len(texts), self.dim)
