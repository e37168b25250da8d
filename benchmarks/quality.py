"""Pair-scoring quality on held-out labelled data: the shipped model against plain
seek->offer cosine and the reciprocal harmonic mean of cosines, measured in the same run.

    python benchmarks/quality.py

Writes benchmarks/results/quality.json (the same figures ``matcher eval pairs`` prints).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _results import write  # noqa: E402

from matcher.cli.match import show_quality  # noqa: E402
from matcher.pairs.quality import evaluate  # noqa: E402


def main() -> None:
    figures = evaluate()
    show_quality(figures)
    print(write("quality", figures))


if __name__ == "__main__":
    main()
