"""The outside-style communities: the product's top 5 per keyed seeker against plain cosine and
the reciprocal harmonic mean of cosines, measured in the same run, with every false answer claim
listed, on set 1 (data/labelled/communities, used during development since) and the held-out
set 2 (data/labelled/communities_heldout).

    python benchmarks/communities.py

Writes benchmarks/results/communities.json (the figures ``matcher eval communities [--heldout]``
prints).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _results import write  # noqa: E402

from matcher.cli.communities import show_communities  # noqa: E402
from matcher.communities_eval import COMMUNITIES, HELDOUT, evaluate  # noqa: E402


def main() -> None:
    start = time.perf_counter()
    figures = {}
    for name, root in (("development", COMMUNITIES), ("heldout", HELDOUT)):
        figures[name] = evaluate(root)
        show_communities(figures[name])
    figures["seconds"] = round(time.perf_counter() - start, 1)
    print(write("communities", figures))


if __name__ == "__main__":
    main()
