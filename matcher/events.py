"""Pre-event pairing on top of the scorer: weights from pair scores, constraints from history,
competition, blocks and the host's locks, forced and forbidden pairs (kept in the event's
settings so that a re-run keeps them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from .pairing import PairingConstraints, Schedule, compare, schedule
from .reasons import pair_reasons


@dataclass
class PairingRun:
    """A schedule plus what is needed to print it: ids, names, reasons, times."""

    schedule: Schedule
    ids: list[str]
    names: list[str]
    event: str | None
    round_times: list[datetime] | None = None
    table_names: list[str] | None = None
    _reasons: dict = field(default_factory=dict)

    def reasons(self, i: int, j: int) -> list[str]:
        return self._reasons.get((min(i, j), max(i, j)), [])

    def export_kwargs(self) -> dict:
        return {"ids": self.ids, "names": self.names, "reasons": self.reasons,
                "round_times": self.round_times, "table_names": self.table_names,
                "event_name": self.event}

    def to_document(self) -> dict:
        """A JSON-ready document that :meth:`from_document` turns back into this run."""
        sch = self.schedule
        return {
            "schedule": {"rounds": sch.rounds, "scores": sch.scores, "metrics": sch.metrics,
                         "n": sch.n, "table_size": sch.table_size, "method": sch.method,
                         "seed": sch.seed, "warnings": sch.warnings,
                         "relaxations": {str(r): v for r, v in sch.relaxations.items()}},
            "ids": self.ids, "names": self.names, "event": self.event,
            "round_times": [t.isoformat() for t in self.round_times] if self.round_times else None,
            "table_names": self.table_names,
            "reasons": [[i, j, r] for (i, j), r in sorted(self._reasons.items())],
        }

    @classmethod
    def from_document(cls, doc: dict) -> PairingRun:
        sch = dict(doc["schedule"])
        sch["relaxations"] = {int(r): v for r, v in sch.get("relaxations", {}).items()}
        times = doc.get("round_times")
        return cls(Schedule(**sch), doc["ids"], doc["names"], doc.get("event"),
                   [datetime.fromisoformat(t) for t in times] if times else None,
                   doc.get("table_names"), {(i, j): r for i, j, r in doc.get("reasons", [])})

    def pairs(self) -> list[tuple[str, str, int]]:
        """Every pair that shares a table, with its round index."""
        out = []
        for r, groups in enumerate(self.schedule.rounds):
            for g in groups:
                out += [(self.ids[a], self.ids[b], r) for k, a in enumerate(g) for b in g[k + 1:]]
        return out


def run_pairings(engine, event: str | None = None, *, rounds: int | None = None,
                 table_size: int | None = None, seed: int = 0, allow_competitors: bool = False,
                 lookback_days: int | None = 365, method: str = "auto") -> PairingRun:
    """Schedule an event's attendees (or all members) over ``rounds`` rounds."""
    settings = engine.store.event(event).settings if event else {}
    ev = engine.store.event(event) if event else None
    rounds = rounds or (ev.rounds if ev else 3)
    table_size = table_size or (ev.table_size if ev else 2)
    scored = engine.scorer(event)
    scorer, S, R = scored.scorer, scored.S, scored.R
    if S is None:
        from .engine import MATRIX_MAX

        raise ValueError(f"pairing needs the full score matrix, kept for at most {MATRIX_MAX} "
                         f"people; this has {len(scorer.matrix_)}: pair an event's attendees")
    ids = scorer.matrix_.ids
    pos = {m: i for i, m in enumerate(ids)}
    forbidden: set[frozenset[int]] = set()
    if not allow_competitors:
        a, b = np.nonzero(np.triu(R == "competitor", 1))
        forbidden |= {frozenset((int(x), int(y))) for x, y in zip(a, b, strict=True)}
    since = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=lookback_days) \
        if lookback_days is not None else None
    history = engine.store.met_pairs(since=since) | engine.store.blocked_pairs()
    forbidden |= {frozenset((pos[x], pos[y])) for x, y in history if x in pos and y in pos}
    forbidden |= {frozenset((pos[x], pos[y])) for x, y in settings.get("forbidden", [])}
    forced = [(pos[x], pos[y]) for x, y in settings.get("forced", [])]
    forbidden -= {frozenset(p) for p in forced}
    same_company = [frozenset((i, int(j))) for i in range(len(ids))
                    for j in np.flatnonzero(scorer.same_company(i, np.arange(len(ids)))) if j > i]
    forbidden |= set(same_company)
    locked: dict[int, list[list[int]]] = {}
    for lock in settings.get("locked", []):
        if lock["round"] < rounds:
            locked.setdefault(lock["round"], []).append([pos[m] for m in lock["members"]])
    result = schedule(S, rounds=rounds, table_size=table_size, seed=seed, method=method,
                      constraints=PairingConstraints(forbidden=forbidden, forced=forced,
                                                     locked=locked))
    reasons = {}
    for groups in result.rounds:
        for g in groups:
            for k, a in enumerate(g):
                for b in g[k + 1:]:
                    _, rel, comp = scorer.score_rows(a, np.array([b]))
                    reasons[(min(a, b), max(a, b))] = pair_reasons(
                        scorer, a, b, str(rel[0]), {n: v[0] for n, v in comp.items()},
                        third_person=True)[:1]
    times = None
    if ev and settings.get("start"):
        start = datetime.fromisoformat(settings["start"])
        step = timedelta(minutes=int(settings.get("minutes", 15)))
        times = [start + r * step for r in range(rounds)]
    return PairingRun(result, ids, [m.name for m in scorer.matrix_.members], event, times,
                      settings.get("table_names"), reasons)


def compare_runs(a: PairingRun, b: PairingRun) -> dict:
    return compare(a.schedule, b.schedule)
