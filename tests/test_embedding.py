"""The embedder: verified weights, ONNX equals sentence-transformers, no torch at start-up."""

import shutil
import subprocess
import sys

import numpy as np
import pytest

from matcher.embedding import OnnxEncoder, SentenceTransformerEncoder, verify_weights
from matcher.embedding.weights import model_dir, onnx_dir
from matcher.errors import ModelIntegrityError

TEXTS = [
    "Residential realtor helping first-time buyers in East Austin",
    "monthly bookkeeping for small dental clinics",
    "hi",
    "Commercial cleaning for restaurants and offices; nightly and weekend crews " * 5,
    "x" * 3000,  # longer than the 256-token window: truncated the same way
]


def test_onnx_vectors_match_sentence_transformers(encoder):
    ours = encoder.encode(TEXTS)
    ref = SentenceTransformerEncoder().encode(TEXTS)
    assert ours.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert (ours * ref).sum(axis=1).min() > 0.99999


def test_batching_does_not_change_vectors(encoder):
    one_by_one = np.vstack([encoder.encode([t]) for t in TEXTS])
    np.testing.assert_allclose(one_by_one, encoder.encode(TEXTS), atol=1e-5)


def test_tampered_weights_are_refused(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(model_dir(), copy)
    with open(copy / "model.safetensors", "r+b") as fh:
        fh.seek(1000)
        byte = fh.read(1)
        fh.seek(1000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelIntegrityError, match="refusing to load .*sha256 is"):
        verify_weights(copy)
    assert verify_weights().name == "model.safetensors"


def test_tampered_onnx_export_is_refused(tmp_path):
    copy = tmp_path / "onnx"
    shutil.copytree(onnx_dir(), copy)
    with open(copy / "model.onnx", "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelIntegrityError, match="sha256 changed"):
        OnnxEncoder(copy).encode(["anything"])


def test_cli_without_new_text_does_not_import_torch(sample_db):
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from matcher.cli import app\n"
        f"r = CliRunner().invoke(app, ['--db', {str(sample_db)!r}, 'members', '--json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print('torch' in sys.modules, 'onnxruntime' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
