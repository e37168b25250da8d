"""HTTP reads under profile edits: GET /v1/members/{id}/recommendations from wrk while one
member's profile is PATCHed every second, against uvicorn on loopback (as ``matcher serve``
runs it: ROLECALL_WARM=1, every member's answer computed ahead).

One server, three phases of ``--duration`` seconds each, on the synthetic community of
``benchmarks/api_load.py`` (N members, real industry phrases, shipped phrase vectors):

- ``baseline``: reads only (the figure the other two are compared with, same run);
- ``notes``: reads, and one PATCH of ``notes`` per second (a field no score reads);
- ``specialty``: reads, and one PATCH of ``specialty`` per second (a scored field: a new text
  to embed, and answers that may change; the service keeps serving the previous ones, marked
  with their age, while it recomputes in the background);
- ``role`` (not run by default): a scored field with no text to embed.

For each edit phase: the reads (wrk: throughput, p50/p99, errors), the PATCHes (latency,
errors), and how long after the last edit every answer is fresh again (``/v1/health``
``stale`` reaches 0). Target: reads >= 500 req/s at p99 <= 50 ms, 0 errors.

    python benchmarks/api_edits.py                 # 1,000 members, 16 connections, 15 s
    python benchmarks/api_edits.py -n 10000
"""

from __future__ import annotations

import argparse
import shutil
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import write  # noqa: E402
from api_load import run_wrk, start_server, synthetic_db  # noqa: E402

TARGET = {"throughput_rps": 500, "p99_ms": 50, "errors": 0}


def _phrases() -> list[str]:
    from matcher.industry import default_index

    return list(default_index().phrases)


class Editor(threading.Thread):
    """One PATCH per ``period`` seconds to a random member until stopped; keeps latencies."""

    def __init__(self, base: str, key: str, *, n: int, field: str, period: float = 1.0,
                 seed: int = 2):
        super().__init__(name="editor", daemon=True)
        self.base, self.key, self.n, self.field, self.period = base, key, n, field, period
        self.rng = np.random.default_rng(seed)
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.phrases = _phrases() if field == "specialty" else []

    def value(self, count: int) -> str:
        from matcher.profiles import ROLES

        if self.field == "notes":
            return f"met at the spring mixer, follow up (edit {count})"
        if self.field == "role":  # scored, but no text to embed
            return ROLES[count % len(ROLES)]
        phrase = self.phrases[self.rng.integers(len(self.phrases))]
        return f"{phrase} in Austin, TX (edit {count})"  # a new text: the service embeds it

    def run(self) -> None:
        import httpx

        headers = {"Authorization": f"Bearer {self.key}"}
        count, start = 0, time.perf_counter()
        with httpx.Client(base_url=self.base, headers=headers, timeout=60) as client:
            while not self.stop.is_set():
                member = f"s{self.rng.integers(self.n):05d}"
                t0 = time.perf_counter()
                try:
                    r = client.patch(f"/v1/members/{member}", json={self.field: self.value(count)})
                    if r.status_code != 200:
                        self.errors.append(f"{member}: {r.status_code} {r.text[:200]}")
                except httpx.HTTPError as exc:
                    self.errors.append(f"{member}: {exc!r}")
                self.latencies.append(time.perf_counter() - t0)
                count += 1
                self.stop.wait(max(0.0, start + count * self.period - time.perf_counter()))

    def figures(self) -> dict:
        ms = np.array(self.latencies) * 1e3
        return {"edits": len(ms), "errors": len(self.errors), "first_errors": self.errors[:3],
                "p50_ms": round(float(np.percentile(ms, 50)), 1) if len(ms) else None,
                "max_ms": round(float(ms.max()), 1) if len(ms) else None}


def settle(base: str, timeout: float) -> dict:
    """Seconds until ``/v1/health`` says no answer is stale (and the warm-up is whole)."""
    import httpx

    t0 = time.perf_counter()
    health = {}
    while time.perf_counter() - t0 < timeout:
        health = httpx.get(f"{base}/v1/health", timeout=30).json()
        if not health.get("stale") and health.get("warm") == 1.0:
            return {"settle_s": round(time.perf_counter() - t0, 1), "health": health}
        time.sleep(0.5)
    return {"settle_s": None, "health": health}


def meets(reads: dict) -> bool:
    return (reads["throughput_rps"] >= TARGET["throughput_rps"]
            and reads["p99_ms"] <= TARGET["p99_ms"]
            and reads["errors"] + reads["non_2xx"] == 0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--members", type=int, default=1000)
    ap.add_argument("--duration", type=float, default=15.0, help="seconds per phase")
    ap.add_argument("--concurrency", type=int, default=16, help="wrk's open connections")
    ap.add_argument("-k", type=int, default=10)
    ap.add_argument("--phases", default="baseline,notes,specialty")
    ap.add_argument("--settle-timeout", type=float, default=600.0)
    ap.add_argument("--name", default=None, help="results file name (default api_edits_N)")
    ap.add_argument("--fresh", action="store_true", help="rebuild the synthetic database")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: make wrk (apt-get install wrk)")

    # a copy per run: the edits below change the database
    master, key = synthetic_db(args.members, fresh=args.fresh)
    db = master.with_name(f"rolecall_api_edits_{args.members}.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(master, db)

    figures = {"members": args.members, "concurrency": args.concurrency, "k": args.k,
               "duration_s": args.duration, "target": TARGET}
    load = {"n": args.members, "k": args.k, "duration": args.duration,
            "concurrency": args.concurrency}
    server, base, ready_s = start_server(db, warm=True)
    figures["ready_s"] = round(ready_s, 1)
    try:
        for phase in args.phases.split(","):
            editor = None
            if phase != "baseline":
                editor = Editor(base, key, n=args.members, field=phase)
                editor.start()
            reads = run_wrk(base, key, **load)
            out = {"reads": reads}
            if editor is not None:
                editor.stop.set()
                editor.join(timeout=120)
                out["patch"] = editor.figures()
                out |= settle(base, args.settle_timeout)
            out["meets_target"] = meets(reads)
            figures[phase] = out
            print(f"{phase:>10}: {out}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=60)
    if "baseline" in figures:
        for phase in ("notes", "specialty"):
            if phase in figures:
                figures[f"{phase}_vs_baseline_throughput"] = round(
                    figures[phase]["reads"]["throughput_rps"]
                    / max(figures["baseline"]["reads"]["throughput_rps"], 1e-9), 2)
    path = write(args.name or f"api_edits_{args.members}", figures)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
