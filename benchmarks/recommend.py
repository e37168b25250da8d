"""Single-query recommendation latency: exact numpy scoring vs ANN candidates (faiss HNSW)
scored exactly, with recall@10 of ANN against exact and a naive per-pair Python loop as the
baseline, all from one run, after 10 warm-up queries of each kind. ``one_matvec``: one
float32 matrix-vector product over the n x 384 offers matrix, the memory-bandwidth floor of
any exact scan (exact scoring reads four such matrices: specialties, trade texts, offer and
seek phrases, and the offers of the pairs that can make the cut). ``exact_rank_p50_ms``: the
exact ranking alone (no reasons, no components). ``full_scored_share``: the
share of candidates :func:`~matcher.recommend.best_scored` scores in full (offers cosine and
relation). ``scores_to_ms``: :func:`matcher.refresh.scores_to` for one edited member (every
member's directional score with them), against ``scores_to_direct_ms``, one scoring pass per
member (up to 10,000 members).

Synthetic communities are built from real sentence vectors, not random ones: each member gets
a NAICS industry; specialty and offers are index phrases of that industry, seeks are phrases of
an industry that BEA 2017 says it buys from; roles follow the taxonomy's five roles.

    python benchmarks/recommend.py            # 1k, 10k, 100k
    python benchmarks/recommend.py --full     # adds 1M (about 6 GB of vectors)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import track
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's engine
from _results import write  # noqa: E402

from matcher.candidates import AnnCandidates  # noqa: E402
from matcher.industry import default_index  # noqa: E402
from matcher.profiles import ROLES, Member  # noqa: E402
from matcher.recommend import POOL, best_scored, rank, recommend  # noqa: E402
from matcher.refresh import scores_to  # noqa: E402
from matcher.roles import load_taxonomy  # noqa: E402
from matcher.scoring import PairScorer  # noqa: E402
from matcher.vectors import MemberMatrix  # noqa: E402


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)


def community(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    index = default_index()
    pv = np.asarray(index.phrase_vectors, dtype=np.float32)
    by_code = {}
    for p, c in enumerate(index.phrase_code):
        by_code.setdefault(int(c), []).append(p)
    codes = np.array([c for c, ps in by_code.items() if len(ps) >= 3])
    comp = index.complementarity([index.codes[c] for c in codes], [index.codes[c] for c in codes])
    partners = np.argsort(-comp, axis=1)[:, :20]
    member_code = rng.integers(0, len(codes), n)

    def pick(code_rows):
        return np.array([by_code[int(codes[r])][rng.integers(len(by_code[int(codes[r])]))]
                         for r in code_rows])

    specialty = pv[pick(member_code)]
    offers = unit(pv[pick(member_code)] + pv[pick(member_code)])
    seek_codes = partners[member_code, rng.integers(0, 20, n)]
    seeks = unit(pv[pick(seek_codes)] + 0.5 * specialty)
    members = [Member.model_construct(id=f"s{i}", name=f"Member {i}", specialty="", offers=[],
                                      seeks=[], company="", location="", opt_out=False)
               for i in range(n)]
    matrix = MemberMatrix(members=members, specialty=specialty, offers=offers, seeks=seeks,
                          profile=specialty, trade=specialty, has_offers=np.ones(n, bool),
                          has_seeks=np.ones(n, bool), phrase_vectors={})
    roles = [ROLES[r] for r in rng.integers(0, 5, n)]
    mcodes = [index.codes[codes[r]] for r in member_code]
    scorer = PairScorer().fit(matrix, codes=mcodes, markets=[index.market(c) for c in mcodes],
                              roles=roles, synergy=load_taxonomy().synergy, index=index)
    return scorer


def naive_top10(scorer, i: int) -> list[int]:
    """The baseline: a Python loop scoring one pair at a time."""
    m = scorer.matrix_
    scores = []
    for j in range(len(m)):
        if j == i:
            continue
        s, rel, _ = scorer.score_rows(i, np.array([j]))
        if rel[0] != "competitor":
            scores.append((float(s[0]), j))
    return [j for _, j in sorted(scores, reverse=True)[:10]]


def latencies(fn, queries) -> np.ndarray:
    out = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        out.append(time.perf_counter() - t0)
    return np.array(out) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true", help="include 1M members")
    ap.add_argument("--queries", type=int, default=100)
    args = ap.parse_args()
    sizes = [1_000, 10_000, 100_000] + ([1_000_000] if args.full else [])
    rng = np.random.default_rng(1)
    results = []
    for n in sizes:
        t0 = time.perf_counter()
        scorer = community(n)
        build = time.perf_counter() - t0
        queries = rng.integers(0, n, args.queries)
        t0 = time.perf_counter()
        ann = AnnCandidates().fit(scorer.matrix_, groups=scorer.roles_)
        ann_build = time.perf_counter() - t0

        def exact(i, scorer=scorer):
            return [r["member_id"] for r in recommend(scorer, i, 10, diversity=0.0)]

        def approx(i, gen=ann, scorer=scorer):
            return [r["member_id"] for r in
                    recommend(scorer, i, 10, candidates=gen.candidates(i), diversity=0.0)]

        def one_pass(i, m=scorer.matrix_):  # the floor: one read of one n x 384 matrix
            return m.offers @ m.seeks[i]

        warm = rng.integers(0, n, 10)  # steady state: the first queries page the indexes in
        for i in warm:
            exact(i), approx(i)
        t_floor = latencies(one_pass, queries)
        t_exact = latencies(exact, track(queries, description=f"exact {n:,}"))
        t_rank = latencies(lambda i, s=scorer: rank(s, i, 10, diversity=0.0), queries)
        t_ann = latencies(approx, track(queries, description=f"ann {n:,}"))
        recall = np.mean([len(set(exact(i)) & set(approx(i))) / 10 for i in queries[:50]])
        naive_q = queries[: 3 if n <= 10_000 else 0]
        t_naive = (latencies(lambda i, s=scorer: naive_top10(s, i), naive_q)
                   if len(naive_q) else None)
        row = {
            "members": n, "build_s": round(build, 2), "ann_build_s": round(ann_build, 2),
            "exact_p50_ms": round(float(np.percentile(t_exact, 50)), 3),
            "exact_p99_ms": round(float(np.percentile(t_exact, 99)), 3),
            "exact_rank_p50_ms": round(float(np.percentile(t_rank, 50)), 3),
            "ann_p50_ms": round(float(np.percentile(t_ann, 50)), 3),
            "ann_p99_ms": round(float(np.percentile(t_ann, 99)), 3),
            "ann_recall_at_10": round(float(recall), 4),
            "one_matvec_p50_ms": round(float(np.percentile(t_floor, 50)), 3),
        }
        row["exact_over_one_matvec"] = round(row["exact_p50_ms"] / row["one_matvec_p50_ms"], 1)
        everyone = np.arange(n)
        row["full_scored_share"] = round(float(np.mean([
            np.isfinite(best_scored(scorer, int(i), everyone, everyone != i, POOL * 10)[1]).mean()
            for i in queries[:20]])), 4)
        x = queries[:1]
        t0 = time.perf_counter()
        fast = scores_to(scorer, x)
        row["scores_to_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        if n <= 10_000:
            t0 = time.perf_counter()
            direct = np.stack([scorer.score_rows(int(a), x)[0] for a in everyone])
            row["scores_to_direct_ms"] = round((time.perf_counter() - t0) * 1000, 1)
            assert np.array_equal(fast, direct)
        if t_naive is not None:
            row["naive_p50_ms"] = round(float(np.median(t_naive)), 1)
            row["naive_over_exact"] = round(row["naive_p50_ms"] / row["exact_p50_ms"], 1)
        results.append(row)
        del scorer, ann
    table = Table(title="recommend: single-query latency (ms), one run")
    for col in results[0] | {"naive_p50_ms": 0, "naive_over_exact": 0}:
        table.add_column(col, justify="right")
    for r in results:
        table.add_row(*[str(r.get(c, "-")) for c in
                        results[0] | {"naive_p50_ms": 0, "naive_over_exact": 0}])
    Console().print(table)
    print(f"written to {write('recommend', {'sizes': results, 'queries': args.queries})}")


if __name__ == "__main__":
    main()
