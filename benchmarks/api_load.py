"""HTTP load: GET /v1/members/{id}/recommendations against uvicorn on loopback.

Builds (once, cached in $TMPDIR/rolecall_api_load_N.db unless --fresh) a synthetic
community of N members whose texts are real industry phrases and whose vectors come from
the shipped phrase vectors (data/industries), not from encoding 10k texts. Then starts
``uvicorn`` on 127.0.0.1 in a subprocess, warms the scorer, and fires a bounded number of
requests from ``--concurrency`` httpx clients for at most ``--duration`` seconds: once over
random members (engine-bound; the service's memo rarely hits) and once over a warmed
``--hot`` subset (what the memo gives repeated readers).

    python benchmarks/api_load.py                    # 10k members, 64 concurrent, 20 s
    python benchmarks/api_load.py -n 2000 --requests 2000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import write  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # loopback only


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.clip(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12, None)).astype(np.float32)


def build_db(path: Path, n: int, seed: int = 0) -> str:
    """A store with ``n`` synthetic members, their vectors and an admin key; returns the key."""
    from matcher.embedding import text_hash
    from matcher.engine import Engine
    from matcher.industry import default_index
    from matcher.keys import create_key
    from matcher.profiles import ROLES, Member
    from matcher.store import Store
    from matcher.vectors import member_texts, profile_text, trade_text

    rng = np.random.default_rng(seed)
    index = default_index()
    pv = _unit(np.asarray(index.phrase_vectors, dtype=np.float32))  # normalised already
    by_code: dict[int, list[int]] = {}
    for p, c in enumerate(index.phrase_code):
        by_code.setdefault(int(c), []).append(p)
    codes = [c for c, ps in by_code.items() if len(ps) >= 3]
    towns = ["Austin, TX", "Round Rock, TX", "Cedar Park, TX", "San Marcos, TX", "Georgetown, TX"]
    members, vectors = [], {}
    for i in range(n):
        own = by_code[codes[rng.integers(len(codes))]]
        other = by_code[codes[rng.integers(len(codes))]]
        sp, o1, o2, s1 = (int(own[rng.integers(len(own))]), int(own[rng.integers(len(own))]),
                          int(own[rng.integers(len(own))]), int(other[rng.integers(len(other))]))
        town = towns[rng.integers(len(towns))]
        m = Member.model_construct(
            id=f"s{i:05d}", name=f"Member {i}", email=f"s{i}@example.com", phone=None,
            headline="", specialty=f"{index.phrases[sp]} in {town} (#{i})",
            offers=[index.phrases[o1], index.phrases[o2]], seeks=[index.phrases[s1]],
            role=ROLES[rng.integers(len(ROLES))] if rng.random() < 0.7 else None,
            location=town, company=f"Company {i}", tags=[], notes="", opt_out=False)
        members.append(m)
        spec_v = pv[sp]
        text_v = {m.specialty: spec_v, m.offers[0]: pv[o1], m.offers[1]: pv[o2], m.seeks[0]: pv[s1]}
        text_v[trade_text(m)] = _unit(spec_v + 0.5 * (pv[o1] + pv[o2]))
        text_v[profile_text(m)] = _unit(spec_v + 0.5 * (pv[o1] + pv[o2]) + 0.3 * pv[s1])
        for t in member_texts(m):
            vectors[text_hash(t)] = text_v[t]
    if path.exists():
        path.unlink()
    with Store(path) as store:
        engine = Engine(store)
        for k in range(0, n, 2000):
            chunk = members[k:k + 2000]
            hs = {text_hash(t) for m in chunk for t in member_texts(m)}
            store.save_import(chunk, {h: vectors[h] for h in hs}, model_id=engine.model_id)
        return create_key(store, "admin").secret


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


async def fire(base: str, key: str, ids: list[str], *, total: int, concurrency: int,
               duration: float, k: int) -> dict:
    import httpx

    lat: list[float] = []
    errors = 0
    sent = 0
    deadline = time.perf_counter() + duration
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits,
                                 timeout=30.0) as client:

        async def worker(w: int) -> None:
            nonlocal sent, errors
            rng = np.random.default_rng(w)
            while sent < total and time.perf_counter() < deadline:
                sent += 1
                mid = ids[rng.integers(len(ids))]
                t0 = time.perf_counter()
                try:
                    r = await client.get(f"/v1/members/{mid}/recommendations", params={"k": k})
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                lat.append(time.perf_counter() - t0)
                errors += not ok

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(concurrency)))
        wall = time.perf_counter() - t0
    ms = np.array(lat) * 1000
    return {
        "distinct_ids": len(ids), "requests": len(lat), "errors": errors, "seconds": round(wall, 2),
        "throughput_rps": round(len(lat) / wall, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 2) if len(ms) else None,
        "p90_ms": round(float(np.percentile(ms, 90)), 2) if len(ms) else None,
        "p99_ms": round(float(np.percentile(ms, 99)), 2) if len(ms) else None,
        "max_ms": round(float(ms.max()), 2) if len(ms) else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--members", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=10_000, help="upper bound on requests")
    ap.add_argument("--duration", type=float, default=20.0, help="upper bound in seconds")
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("-k", type=int, default=10)
    ap.add_argument("--hot", type=int, default=500, help="distinct ids in the cached phase")
    ap.add_argument("--fresh", action="store_true", help="rebuild the synthetic database")
    args = ap.parse_args()

    db = Path(tempfile.gettempdir()) / f"rolecall_api_load_{args.members}.db"
    keyfile = db.with_suffix(".key")
    t0 = time.perf_counter()
    if args.fresh or not db.exists() or not keyfile.exists():
        keyfile.write_text(build_db(db, args.members))
    key = keyfile.read_text().strip()
    build_s = time.perf_counter() - t0

    port = free_port()
    env = dict(os.environ, ROLECALL_DB=str(db), ROLECALL_WARM="1")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "service.app:app", "--host", HOST, "--port", str(port),
         "--log-level", "warning", "--no-access-log"], cwd=ROOT, env=env)
    base = f"http://{HOST}:{port}"
    try:
        import httpx

        t0 = time.perf_counter()
        while True:  # the lifespan fits the scorer before the port opens
            if server.poll() is not None:
                raise SystemExit(f"uvicorn exited with {server.returncode}")
            try:
                if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
            if time.perf_counter() - t0 > 1800:
                raise SystemExit("server did not start in 30 minutes")
        warm_s = time.perf_counter() - t0
        ids = [f"s{i:05d}" for i in range(args.members)]
        first = time.perf_counter()
        r = httpx.get(f"{base}/v1/members/{ids[0]}/recommendations", params={"k": args.k},
                      headers={"Authorization": f"Bearer {key}"}, timeout=600)
        first_s = time.perf_counter() - first
        if r.status_code != 200:
            raise SystemExit(f"first request failed: {r.status_code} {r.text[:300]}")
        cold = asyncio.run(fire(base, key, ids, total=args.requests,
                                concurrency=args.concurrency, duration=args.duration, k=args.k))
        hot = ids[: args.hot]  # the service memoises answers: a popular subset, fetched twice
        asyncio.run(fire(base, key, hot, total=len(hot) * 3, concurrency=args.concurrency,
                         duration=args.duration, k=args.k))
        cached = asyncio.run(fire(base, key, hot, total=args.requests,
                                  concurrency=args.concurrency, duration=args.duration, k=args.k))
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures = {"members": args.members, "concurrency": args.concurrency, "k": args.k,
               "build_db_s": round(build_s, 1), "startup_and_fit_s": round(warm_s, 1),
               "first_request_s": round(first_s, 2),
               "uncached": cold, "cached": cached | {"distinct_ids": len(hot)},
               "target": {"throughput_rps": 500, "p99_ms": 50}}
    path = write("api_load", figures)
    for name, value in figures.items():
        print(f"{name:>20}: {value}")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
