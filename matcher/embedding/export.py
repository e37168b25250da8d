"""Export all-MiniLM-L6-v2's transformer to ONNX once, from the verified safetensors.

Run as ``python -m matcher.embedding.export`` (``make`` does). Writes ``model.onnx``,
``tokenizer.json`` and ``manifest.json`` (the source weights' sha256 and the ONNX file's
sha256) into :func:`~matcher.embedding.weights.onnx_dir`. Needs torch; nothing else does.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from .weights import (
    DIM,
    MODEL_NAME,
    WEIGHTS_SHA256,
    model_dir,
    onnx_dir,
    sha256_file,
    verify_weights,
)


def export(target: Path | None = None, *, force: bool = False) -> Path:
    target = target or onnx_dir()
    manifest = target / "manifest.json"
    if not force and manifest.is_file() and (target / "model.onnx").is_file():
        if json.loads(manifest.read_text()).get("source_sha256") == WEIGHTS_SHA256:
            return target / "model.onnx"
    source = model_dir()
    verify_weights(source)

    import torch
    from transformers import AutoModel

    class _Encoder(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    model = _Encoder(AutoModel.from_pretrained(
        str(source), local_files_only=True, attn_implementation="eager"
    )).eval()
    ids = torch.ones((2, 8), dtype=torch.long)
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / "model.onnx.tmp"
    with torch.no_grad():
        torch.onnx.export(
            model,
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            str(tmp),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                "token_type_ids": {0: "batch", 1: "seq"},
                "last_hidden_state": {0: "batch", 1: "seq"},
            },
            opset_version=17,
            dynamo=False,
        )
    tmp.replace(target / "model.onnx")
    shutil.copy2(source / "tokenizer.json", target / "tokenizer.json")
    manifest.write_text(
        json.dumps(
            {
                "model": MODEL_NAME,
                "dim": DIM,
                "source_sha256": WEIGHTS_SHA256,
                "onnx_sha256": sha256_file(target / "model.onnx"),
            },
            indent=2,
        )
    )
    return target / "model.onnx"


if __name__ == "__main__":
    path = export(force="--force" in sys.argv)
    print(f"ONNX model ready: {path}")
