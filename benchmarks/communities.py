"""The outside-style communities (data/labelled/communities): the product's top 5 per keyed
seeker against plain cosine and the reciprocal harmonic mean of cosines, measured in the same
run, with every false answer claim listed.

    python benchmarks/communities.py

Writes benchmarks/results/communities.json (the same figures ``matcher eval communities``
prints). The set was written before any tuning and must never be tuned on.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _results import write  # noqa: E402

from matcher.cli.communities import show_communities  # noqa: E402
from matcher.communities_eval import evaluate  # noqa: E402


def main() -> None:
    start = time.perf_counter()
    figures = evaluate()
    figures["seconds"] = round(time.perf_counter() - start, 1)
    show_communities(figures)
    print(write("communities", figures))


if __name__ == "__main__":
    main()
