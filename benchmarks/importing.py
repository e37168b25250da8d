"""Reading a host's export: the importer (encoding and delimiter sniffing, header matching,
list splitting, ids from emails, validation) against the least any importer does (csv.DictReader
and one ``Member.model_validate`` per row), measured in the same run on the same rows.

The rows are the sample meetup under Eventbrite-style headers, repeated to ``--n`` people
(each with its own email), written as UTF-8 CSV and as Windows-1252 with semicolons.

    python benchmarks/importing.py [--n 10000]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import write  # noqa: E402

from matcher.importing import parse_members, read_members  # noqa: E402
from matcher.profiles import Member  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["Order #", "First Name", "Last Name", "Email", "Job Title", "Company",
          "What does your business do?", "How can you help other members?",
          "Who would you like to meet?"]


def export(n: int, delimiter: str = ",") -> str:
    members = read_members(ROOT / "data" / "sample" / "members.csv")
    buf = io.StringIO()
    out = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    out.writerow(HEADER)
    for i in range(n):
        m = members[i % len(members)]
        first, _, last = m.name.partition(" ")
        out.writerow([1000 + i, first, last or "-", f"person{i}@example.com", m.headline,
                      m.company, m.specialty, "; ".join(m.offers), "; ".join(m.seeks)])
    return buf.getvalue()


def baseline(text: str) -> list[Member]:
    """What a plain reader does: fixed columns, no sniffing, no matching, no ids."""
    rename = dict(zip(HEADER, ["id", "first", "last", "email", "headline", "company",
                               "specialty", "offers", "seeks"], strict=True))
    out = []
    for raw in csv.DictReader(io.StringIO(text)):
        rec = {rename[k]: v for k, v in raw.items()}
        rec["name"] = f"{rec.pop('first')} {rec.pop('last')}"
        out.append(Member.model_validate(rec))
    return out


def interleaved(fns: dict, repeat: int = 7) -> dict[str, float]:
    """Best time of each function, the functions taking turns (a busy machine slows all)."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    return {k: min(v) for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    n = ap.parse_args().n
    utf8 = export(n).encode("utf-8")
    cp1252 = export(n, ";").encode("cp1252", "replace")
    t = interleaved({"base": lambda: baseline(utf8.decode()),
                     "ours": lambda: parse_members(utf8, "csv"),
                     "ours_cp": lambda: parse_members(cp1252, "csv")})
    base, ours, ours_cp = t["base"], t["ours"], t["ours_cp"]
    assert len(parse_members(utf8, "csv")) == n
    figures = {"rows": n, "baseline_s": round(base, 3), "importer_utf8_s": round(ours, 3),
               "importer_cp1252_semicolon_s": round(ours_cp, 3),
               "ratio_utf8": round(ours / base, 2), "ratio_cp1252": round(ours_cp / base, 2),
               "importer_rows_per_s": round(n / ours)}
    print(figures)
    print(write("importing", figures))


if __name__ == "__main__":
    main()
