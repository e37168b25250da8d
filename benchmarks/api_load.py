"""HTTP load: GET /v1/members/{id}/recommendations against uvicorn on loopback, driven by
wrk (Debian package ``wrk``: a C load generator, so the client takes little of the 2 cores).

Builds (once, cached in $TMPDIR/rolecall_api_load_N.db unless --fresh) a synthetic
community of N members whose texts are real industry phrases and whose vectors come from
the shipped phrase vectors (data/industries), not from encoding 10k texts. Each phase starts
``uvicorn service.app:app`` on 127.0.0.1 and asks for random members of the whole community
(for each of ``--concurrency`` open connections, ``--duration`` seconds):

- ``engine``: ROLECALL_WARM=0, so (nearly) every request runs the engine: the baseline;
- ``served``: ROLECALL_WARM=1, as ``matcher serve`` runs: the service computes every member's
  recommendations ahead (after start-up and after each change) and the load starts once that
  is done (``/v1/health`` says ``warm: 1.0``).

    python benchmarks/api_load.py                    # 10k members, 8 and 32 connections, 20 s
    python benchmarks/api_load.py -n 2000 --duration 10
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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
WRK_SCRIPT = """
local key, n = os.getenv("KEY"), tonumber(os.getenv("N"))
local k = os.getenv("K")
math.randomseed(tonumber(os.getenv("SEED")))
request = function()
  local path = string.format("/v1/members/s%05d/recommendations?k=%s", math.random(0, n - 1), k)
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. key})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write("RESULT ", string.format(
    '{"requests": %d, "seconds": %.3f, "errors": %d, "non_2xx": %d, '
    .. '"p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3))
end
"""

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


def synthetic_db(n: int, *, fresh: bool = False) -> tuple[Path, str]:
    """(path, admin key) of the synthetic database of ``n`` members in the temp folder, built
    by :func:`build_db` once (or again with ``fresh``)."""
    db = Path(tempfile.gettempdir()) / f"rolecall_api_load_{n}.db"
    keyfile = db.with_suffix(".key")
    if fresh or not db.exists() or not keyfile.exists():
        keyfile.write_text(build_db(db, n))
    return db, keyfile.read_text().strip()


def start_server(db: Path, *, warm: bool, timeout: float = 1800) -> tuple[subprocess.Popen, str, float]:
    """uvicorn on a free loopback port; returns (process, base url, seconds until ready)."""
    import httpx

    port = free_port()
    env = dict(os.environ, ROLECALL_DB=str(db), ROLECALL_WARM="1" if warm else "0")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "service.app:app", "--host", HOST, "--port", str(port),
         "--log-level", "warning", "--no-access-log"], cwd=ROOT, env=env)
    base = f"http://{HOST}:{port}"
    t0 = time.perf_counter()
    while True:  # the lifespan fits the scorer before the port opens; then the warm-up runs
        if server.poll() is not None:
            raise SystemExit(f"uvicorn exited with {server.returncode}")
        try:
            health = httpx.get(f"{base}/v1/health", timeout=1).json()
            if not warm or health.get("warm") == 1.0:
                return server, base, time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        if time.perf_counter() - t0 > timeout:
            server.terminate()
            raise SystemExit(f"server not ready in {timeout:.0f} s")
        time.sleep(0.5)


def run_wrk(base: str, key: str, *, n: int, k: int, concurrency: int, duration: float,
            seed: int = 1) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_SCRIPT)
    env = dict(os.environ, KEY=key, N=str(n), K=str(k), SEED=str(seed))
    out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{duration:.0f}s", "--timeout", "10s",
                          "--latency", "-s", fh.name, base],
                         env=env, capture_output=True, text=True, check=True)
    os.unlink(fh.name)
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["throughput_rps"] = round(result["requests"] / result["seconds"], 1)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--members", type=int, default=10_000)
    ap.add_argument("--duration", type=float, default=20.0, help="seconds per phase")
    ap.add_argument("--concurrency", type=lambda v: [int(x) for x in v.split(",")],
                    default=[8, 32], help="open connections, one run each (e.g. 8,32)")
    ap.add_argument("-k", type=int, default=10)
    ap.add_argument("--fresh", action="store_true", help="rebuild the synthetic database")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")

    t0 = time.perf_counter()
    db, key = synthetic_db(args.members, fresh=args.fresh)
    figures = {"members": args.members, "concurrency": args.concurrency, "k": args.k,
               "duration_s": args.duration, "build_db_s": round(time.perf_counter() - t0, 1)}
    load = {"n": args.members, "k": args.k, "duration": args.duration}
    import httpx

    for phase, warm in (("engine", False), ("served", True)):
        server, base, ready_s = start_server(db, warm=warm)
        try:
            t0 = time.perf_counter()  # without the warm-up, the first request fits the scorer
            r = httpx.get(f"{base}/v1/members/s00000/recommendations", params={"k": args.k},
                          headers={"Authorization": f"Bearer {key}"}, timeout=1800)
            r.raise_for_status()
            figures[phase] = {"ready_s": round(ready_s, 1),
                              "first_request_s": round(time.perf_counter() - t0, 2)}
            for c in args.concurrency:
                figures[phase][f"c{c}"] = run_wrk(base, key, **load, concurrency=c)
        finally:
            server.terminate()
            server.wait(timeout=60)
    c = args.concurrency[-1]
    figures["served_vs_engine_throughput"] = round(
        figures["served"][f"c{c}"]["throughput_rps"]
        / max(figures["engine"][f"c{c}"]["throughput_rps"], 1e-9), 1)
    figures["target"] = {"throughput_rps": 500, "p99_ms": 50, "errors": 0}
    path = write("api_load", figures)
    for name, value in figures.items():
        print(f"{name:>28}: {value}")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
