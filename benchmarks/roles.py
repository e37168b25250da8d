"""Reading 10,000 members' occupations, markets and roles from an existing store.

A store is filled with N members whose texts are drawn from a pool of real generated profile
texts (``data/labelled/roles_generated.csv``: O*NET / NAICS sentences in six registers), so
their vectors are already cached, as they are for members of a running community. Then, from
the store, timed in one run:

- ``read_and_classify``: the vectorised path the engine uses (matrix from the store,
  :func:`matcher.roles.reading.read_markets` = NAICS phrases + O*NET titles + market model,
  role probabilities, assessments);
- ``previous_reading``: the path before occupations and the market model (NAICS phrases only,
  role probabilities), to show what the occupation knowledge costs;
- ``per_member_loop`` (baseline): the same reading and classification one member at a time,
  on a subset, scaled to N;
- ``engine_insights``: the whole ``Engine.insights()`` (adds specificity) for reference.

    python benchmarks/roles.py            # N = 10,000
    python benchmarks/roles.py --n 2000
    python benchmarks/roles.py --db /tmp/roles-bench.db   # keep the store, reuse it next time
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import write  # noqa: E402

from matcher.embedding import get_encoder  # noqa: E402
from matcher.engine import Engine  # noqa: E402
from matcher.industry import default_index  # noqa: E402
from matcher.market import MarketModel  # noqa: E402
from matcher.occupations import default_occupations  # noqa: E402
from matcher.profiles import Member  # noqa: E402
from matcher.roles import RoleClassifier, assess, load_taxonomy, role_features  # noqa: E402
from matcher.roles.reading import read_markets  # noqa: E402
from matcher.store import Store  # noqa: E402
from matcher.vectors import industry_query, profile_text, trade_text  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
POOL = 1500  # distinct texts (vectors embedded once, then cached in the store)
LOOP_SUBSET = 300


def members(n: int, seed: int = 0) -> list[Member]:
    with open(ROOT / "data" / "labelled" / "roles_generated.csv", encoding="utf-8") as fh:
        texts = [r["text"] for r in csv.DictReader(fh)]
    rng = np.random.default_rng(seed)
    pool = [texts[i] for i in rng.permutation(len(texts))[:POOL]]
    return [Member(id=f"b{i}", name=f"Member {i}", specialty=pool[i % len(pool)])
            for i in range(n)]


def read_all(engine: Engine, *, index, occupations, market, model, taxonomy):
    matrix = engine.matrix()
    ms = matrix.members
    texts = [profile_text(m) for m in ms]
    readings = read_markets([trade_text(m) for m in ms], industry_query(matrix), index=index,
                            occupations=occupations, model=market)
    p = np.array([r.p_consumers for r in readings])
    mk = [r.industry.market for r in readings]
    proba = model.predict_proba(role_features(matrix.profile, p, mk), texts)
    return assess([m.id for m in ms], [m.role for m in ms], proba, profiles=matrix.profile,
                  industry_titles=[r.industry.title for r in readings], markets=mk, model=model,
                  taxonomy=taxonomy, texts=texts,
                  occupations=[r.occupation.title for r in readings])


def previous(engine: Engine, *, index, model):
    matrix = engine.matrix()
    matches = index.infer(industry_query(matrix))
    return model.predict_proba(
        role_features(matrix.profile, [m.consumer_share for m in matches],
                      [m.market for m in matches]),
        [profile_text(m) for m in matrix.members])


def loop(engine: Engine, k: int, *, index, occupations, market, model):
    matrix = engine.matrix()
    out = []
    for i in range(k):
        m = matrix.members[i]
        v = matrix.trade[i:i + 1]
        [r] = read_markets([trade_text(m)], v, index=index, occupations=occupations, model=market)
        x = role_features(matrix.profile[i:i + 1], [r.p_consumers], [r.industry.market])
        out.append(model.predict_proba(x, [profile_text(m)]))
    return out


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--db", type=Path, default=None,
                    help="Keep the store here and reuse it on the next run (same --n).")
    args = ap.parse_args(argv)
    n = args.n
    index, occupations = default_index(), default_occupations()
    market, model, taxonomy = MarketModel.load(), RoleClassifier.load(), load_taxonomy()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.db"
        fresh = not db.exists()
        store = Store(db)
        engine = Engine(store, encoder=get_encoder())
        t = time.perf_counter()
        if fresh:
            engine.import_members(members(n))
        elif len(engine.matrix()) != n:
            raise SystemExit(f"{db} holds {len(engine.matrix())} members, not {n}")
        setup = time.perf_counter() - t
        kw = {"index": index, "occupations": occupations, "market": market, "model": model}
        figures = {
            "n_members": n,
            "distinct_texts": POOL,
            "setup_import_seconds": round(setup, 1),
            "read_and_classify_seconds": round(timed(lambda: read_all(
                engine, taxonomy=taxonomy, **kw)), 3),
            "previous_reading_seconds": round(timed(lambda: previous(
                engine, index=index, model=model)), 3),
        }
        loop_s = timed(lambda: loop(engine, LOOP_SUBSET, **kw), repeat=1)
        figures["per_member_loop_seconds_scaled"] = round(loop_s * n / LOOP_SUBSET, 1)
        figures["per_member_loop_subset"] = LOOP_SUBSET
        figures["engine_insights_seconds"] = round(timed(engine.insights, repeat=1), 3)
        figures["speedup_vs_per_member_loop"] = round(
            figures["per_member_loop_seconds_scaled"] / figures["read_and_classify_seconds"], 1)
        figures["cost_vs_previous_reading"] = round(
            figures["read_and_classify_seconds"] / figures["previous_reading_seconds"], 2)
        store.close()
    figures["load_average_1min_at_end"] = round(os.getloadavg()[0], 2)  # shared 2-core box
    path = write("roles", figures)
    for k, v in figures.items():
        print(f"{k:34s} {v}")
    print(f"written to {path}")
    return figures


if __name__ == "__main__":
    main()
