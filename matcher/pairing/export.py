"""Schedules for people: JSON, CSV, a printable HTML page, and one calendar file per attendee.

Every function takes the :class:`~matcher.pairing.result.Schedule` plus the labels the
engine does not know about:

ids : list of str
    Attendee ``i``'s member id is ``ids[i]``.
names : list of str
    Display names, same order.
reasons : callable ``(i, j) -> list of str``, optional
    Short sentences on why ``i`` and ``j`` should talk.
round_times : list of datetime, optional
    Start of each round (needed for :func:`to_ics`).
table_names : list of str, optional
    A name per table number (``table_names[0]`` is table 1).
event_name : str, optional

Rounds and tables are numbered from 1 in every output. Text cells of the CSV go through
:func:`spreadsheet_safe`, and calendar files are named by :func:`ics_filename`: member ids come
from uploaded files, so neither may become a formula or a path.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jinja2 import Environment

from .errors import PairingError
from .result import Schedule
from .templates import SCHEDULE_HTML

Reasons = Callable[[int, int], list[str]]
DEFAULT_ROUND = timedelta(minutes=15)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: the risky first chars
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
             *(f"LPT{i}" for i in range(10))}


def spreadsheet_safe(cell: str) -> str:
    """A text cell that a spreadsheet shows as text, never runs as a formula: a cell starting
    with ``= + - @``, a tab or a carriage return gets a leading single quote (OWASP's advice
    for CSV injection).

    >>> print(spreadsheet_safe('=HYPERLINK("http://x","click")'))
    '=HYPERLINK("http://x","click")
    >>> spreadsheet_safe("Ana Lopez")
    'Ana Lopez'
    """
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def ics_filename(member_id: str) -> str:
    """A plain file name for ``member_id``'s calendar: letters, digits, ``-``, ``_`` and
    ``.`` stay, anything else becomes ``_``, no leading dot; whenever the id had to change,
    a short hash of it is added so two ids never share a file.

    >>> ics_filename("m01")
    'm01.ics'
    >>> ics_filename("../../etc/passwd").startswith("_.._etc_passwd-")
    True
    """
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", member_id).lstrip(".")[:80]
    if safe != member_id or not safe or safe.split(".")[0].upper() in _RESERVED:
        safe = f"{safe}-{hashlib.sha256(member_id.encode()).hexdigest()[:8]}"
    return safe + ".ics"


@dataclass
class _Labels:
    ids: list[str]
    names: list[str]
    reasons: Reasons | None
    round_times: list[datetime] | None
    table_names: list[str] | None
    event_name: str | None

    def table_label(self, t: int) -> str:
        if self.table_names and t < len(self.table_names):
            return f"Table {t + 1} ({self.table_names[t]})"
        return f"Table {t + 1}"

    def pair_reasons(self, i: int, j: int) -> list[str]:
        if self.reasons is None:
            return []
        return [str(x) for x in (self.reasons(i, j) or [])]

    def group_reasons(self, group: list[int]) -> list[str]:
        out: dict[str, None] = {}
        for x in range(len(group)):
            for y in range(x + 1, len(group)):
                out.update(dict.fromkeys(self.pair_reasons(group[x], group[y])))
        return list(out)

    def time(self, r: int) -> datetime | None:
        return self.round_times[r] if self.round_times else None


def _labels(schedule: Schedule, ids, names, reasons, round_times, table_names, event_name
            ) -> _Labels:
    ids = [str(x) for x in ids]
    if len(ids) != schedule.n:
        raise PairingError(f"ids has {len(ids)} entries for {schedule.n} attendees")
    names = ids if names is None else [str(x) for x in names]
    if len(names) != schedule.n:
        raise PairingError(f"names has {len(names)} entries for {schedule.n} attendees")
    if round_times is not None and len(round_times) < len(schedule.rounds):
        raise PairingError(
            f"round_times has {len(round_times)} entries for {len(schedule.rounds)} rounds")
    return _Labels(ids, names, reasons, list(round_times) if round_times is not None else None,
                   list(table_names) if table_names is not None else None, event_name)


def _clean(value: Any) -> Any:
    """JSON-safe copy: no NaN or infinity, no numpy scalars."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_json(
    schedule: Schedule,
    *,
    ids: Sequence[str],
    names: Sequence[str] | None = None,
    reasons: Reasons | None = None,
    round_times: Sequence[datetime] | None = None,
    table_names: Sequence[str] | None = None,
    event_name: str | None = None,
) -> dict[str, Any]:
    """The schedule as a JSON-ready dict.

    Returns
    -------
    dict
        ``{"event": ..., "rounds": [[{"table": 1, "members": [ids], "names": [...],
        "score": s, "reasons": [...]}, ...], ...], "metrics": {...}, "warnings": [...]}``.
        Tables carry ``"table_name"`` and rounds' groups ``"start"`` (ISO 8601) when given.
        Per-attendee metrics are keyed by member id.
    """
    lab = _labels(schedule, ids, names, reasons, round_times, table_names, event_name)
    rounds = []
    for r, rnd in enumerate(schedule.rounds):
        groups = []
        for t, g in enumerate(rnd):
            item: dict[str, Any] = {
                "table": t + 1,
                "members": [lab.ids[i] for i in g],
                "names": [lab.names[i] for i in g],
                "score": round(float(schedule.scores[r][t]), 6),
                "reasons": lab.group_reasons(g),
            }
            if lab.table_names and t < len(lab.table_names):
                item["table_name"] = lab.table_names[t]
            if lab.time(r) is not None:
                item["start"] = lab.time(r).isoformat()
            groups.append(item)
        rounds.append(groups)
    metrics = dict(schedule.metrics)
    for key in ("per_attendee_best", "per_attendee_mean"):
        if key in metrics:
            metrics[key] = {lab.ids[int(i)]: v for i, v in metrics[key].items()}
    return _clean({"event": event_name, "rounds": rounds, "metrics": metrics,
                   "warnings": list(schedule.warnings)})


def to_csv(
    schedule: Schedule,
    *,
    ids: Sequence[str],
    names: Sequence[str] | None = None,
    reasons: Reasons | None = None,
    round_times: Sequence[datetime] | None = None,
    table_names: Sequence[str] | None = None,
    event_name: str | None = None,
) -> str:
    """One row per table per round: ``round,table,members,names,score,reasons``.

    ``members`` are ids joined by ``;``, ``names`` joined by ``; ``, ``reasons`` by `` | ``;
    each text cell through :func:`spreadsheet_safe`.
    """
    lab = _labels(schedule, ids, names, reasons, round_times, table_names, event_name)
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["round", "table", "members", "names", "score", "reasons"])
    for r, rnd in enumerate(schedule.rounds):
        for t, g in enumerate(rnd):
            text = [";".join(lab.ids[i] for i in g), "; ".join(lab.names[i] for i in g)]
            out.writerow([r + 1, t + 1, *map(spreadsheet_safe, text),
                          f"{schedule.scores[r][t]:.4f}",
                          spreadsheet_safe(" | ".join(lab.group_reasons(g)))])
    return buf.getvalue()


def _fmt_time(value: datetime | None) -> str:
    return value.strftime("%H:%M") if value is not None else ""


def to_html(
    schedule: Schedule,
    *,
    ids: Sequence[str],
    names: Sequence[str] | None = None,
    reasons: Reasons | None = None,
    round_times: Sequence[datetime] | None = None,
    table_names: Sequence[str] | None = None,
    event_name: str | None = None,
) -> str:
    """A printable page: one section per round (one printed page each), then every
    attendee's agenda. All text is HTML-escaped."""
    lab = _labels(schedule, ids, names, reasons, round_times, table_names, event_name)
    rounds = []
    for r, rnd in enumerate(schedule.rounds):
        tables = []
        for t, g in enumerate(rnd):
            why = lab.group_reasons(g)
            tables.append({"label": lab.table_label(t), "names": [lab.names[i] for i in g],
                           "reason": why[0] if why else ""})
        rounds.append({"number": r + 1, "time": _fmt_time(lab.time(r)), "tables": tables})
    people = []
    for i in sorted(range(schedule.n), key=lambda i: (lab.names[i].casefold(), i)):
        stops = []
        for r, t, mates in schedule.agenda(i):
            why = [x for j in mates for x in lab.pair_reasons(i, j)[:1]]
            stops.append({"round": r + 1, "time": _fmt_time(lab.time(r)),
                          "table": lab.table_label(t), "with": [lab.names[j] for j in mates],
                          "reason": why[0] if why else ""})
        if stops:
            people.append({"id": lab.ids[i], "name": lab.names[i], "stops": stops})
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env.from_string(SCHEDULE_HTML).render(
        title=event_name or "Meeting schedule", rounds=rounds, people=people)


def to_ics(
    schedule: Schedule,
    *,
    member: int,
    ids: Sequence[str],
    names: Sequence[str] | None = None,
    reasons: Reasons | None = None,
    round_times: Sequence[datetime],
    table_names: Sequence[str] | None = None,
    event_name: str | None = None,
    duration: timedelta | None = None,
    stamp: datetime | None = None,
) -> bytes:
    """An iCalendar file for attendee ``member``: one VEVENT per round they take part in.

    Parameters
    ----------
    member : int
        Attendee index.
    round_times : list of datetime
        Required: round starts.
    duration : timedelta, optional
        Length of a round; default: the gap to the next round (15 minutes for the last round
        when there is only one).
    stamp : datetime, optional
        DTSTAMP of the events (default: now, UTC).
    """
    from icalendar import Calendar, Event

    if round_times is None:
        raise PairingError("to_ics needs round_times")
    lab = _labels(schedule, ids, names, reasons, round_times, table_names, event_name)
    if not 0 <= member < schedule.n:
        raise PairingError(f"member {member} is outside 0..{schedule.n - 1}")
    times = lab.round_times or []
    gaps = [b - a for a, b in zip(times, times[1:], strict=False) if b > a]
    default = duration or (min(gaps) if gaps else DEFAULT_ROUND)
    cal = Calendar()
    cal.add("prodid", "-//rolecall//pairing//EN")
    cal.add("version", "2.0")
    title = event_name or "Meetup"
    slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-") or "meetup"
    for r, t, mates in schedule.agenda(member):
        start = times[r]
        end = start + (duration or (times[r + 1] - start if r + 1 < len(times)
                                     and times[r + 1] > start else default))
        who = ", ".join(lab.names[j] for j in mates) or "nobody"
        ev = Event()
        ev.add("uid", f"{slug}-r{r + 1}-{lab.ids[member]}@rolecall")
        ev.add("dtstamp", stamp or datetime.now(UTC))
        ev.add("dtstart", start)
        ev.add("dtend", end)
        ev.add("summary", f"{title} - round {r + 1}, {lab.table_label(t)}: {who}")
        ev.add("location", lab.table_label(t))
        why = [f"{lab.names[j]}: {x}" for j in mates for x in lab.pair_reasons(member, j)]
        if why:
            ev.add("description", "\n".join(why))
        cal.add_component(ev)
    return cal.to_ical()
