"""Encode throughput: our ONNX Runtime encoder against plain SentenceTransformer.encode,
measured in the same run on the same texts (the sample meetup's and NAICS-like phrases).

    python benchmarks/encode.py [--n 2000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import write  # noqa: E402

from matcher.embedding import OnnxEncoder, SentenceTransformerEncoder  # noqa: E402
from matcher.importing import read_members  # noqa: E402
from matcher.vectors import member_texts  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def corpus(n: int) -> list[str]:
    members = read_members(ROOT / "data" / "sample" / "members.csv")
    texts = [t for m in members for t in member_texts(m)]
    out = [f"{t} ({i})" for i, t in enumerate(texts * (n // len(texts) + 1))]
    return out[:n]


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def import_seconds(module: str) -> float:
    code = f"import time; t=time.perf_counter(); import {module}; print(time.perf_counter()-t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    args = ap.parse_args()
    texts = corpus(args.n)
    onnx, st = OnnxEncoder(), SentenceTransformerEncoder()
    onnx.encode(texts[:8])
    st.encode(texts[:8])  # warm both up
    v_onnx, t_onnx = timed(lambda: onnx.encode(texts))
    v_st, t_st = timed(lambda: st.encode(texts))
    cos = (v_onnx * v_st).sum(axis=1)
    figures = {
        "texts": len(texts),
        "onnx_sentences_per_s": len(texts) / t_onnx,
        "st_sentences_per_s": len(texts) / t_st,
        "speedup_onnx_vs_st": t_st / t_onnx,
        "min_cosine_onnx_vs_st": float(cos.min()),
        "import_s_onnxruntime": import_seconds("onnxruntime"),
        "import_s_torch": import_seconds("torch"),
    }
    table = Table(title="encode throughput (same run, same texts)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for k, v in figures.items():
        table.add_row(k, f"{v:.4f}" if isinstance(v, float) else str(v))
    Console().print(table)
    print(f"written to {write('encode', figures)}")
    assert np.isfinite(cos).all()


if __name__ == "__main__":
    main()
