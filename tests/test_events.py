"""Pairing lists for an event, end to end through the engine and the CLI."""

import json
from pathlib import Path

from icalendar import Calendar
from typer.testing import CliRunner

from matcher.cli import app

EXPECTED = json.loads((Path(__file__).parents[1] / "data/sample/expected.json").read_text())
runner = CliRunner()


def cli(db, *args):
    r = runner.invoke(app, ["--db", str(db), *args])
    assert r.exit_code == 0, r.output
    return r.stdout


def pairs_of(doc):
    return [frozenset(p) for rnd in doc["rounds"] for t in rnd
            for i, p in enumerate(t["members"]) for p in [(t["members"][i], q)
                                                          for q in t["members"][i + 1:]]]


def test_event_pairings_place_everyone_once_per_round_without_repeats(sample_db, tmp_path):
    attendees = tmp_path / "att.csv"
    ids = [f"m{i:02d}" for i in range(1, 32)]  # 31 attendees: one trio per round
    attendees.write_text("id\n" + "\n".join(ids) + "\n")
    cli(sample_db, "event", "create", "Nov mixer", "--attendees", str(attendees), "--rounds", "3",
        "--start", "2026-11-30T18:30", "--minutes", "15")
    doc = json.loads(cli(sample_db, "pairings", "--event", "Nov mixer", "--json",
                         "--ics-dir", str(tmp_path / "ics")))
    assert len(doc["rounds"]) == 3
    for rnd in doc["rounds"]:
        seated = [m for t in rnd for m in t["members"]]
        assert sorted(seated) == sorted(ids)
        assert sorted(len(t["members"]) for t in rnd) == [2] * 14 + [3]
    pairs = pairs_of(doc)
    assert len(pairs) == len(set(pairs))  # nobody meets twice
    for a, b in EXPECTED["competitors"]:
        assert frozenset((a, b)) not in pairs
    assert doc["metrics"]["repeats"] == 0 and doc["metrics"]["forbidden_violations"] == 0
    cal = Calendar.from_ical((tmp_path / "ics" / "m02.ics").read_bytes())
    assert len([c for c in cal.walk() if c.name == "VEVENT"]) == 3


def test_an_event_schedule_is_saved_and_reads_back_identically(sample_db, tmp_path):
    from matcher.engine import Engine
    from matcher.pairing.export import to_csv, to_json
    from matcher.store import Store

    attendees = tmp_path / "att.csv"
    attendees.write_text("id\n" + "\n".join(f"m{i:02d}" for i in range(1, 12)) + "\n")
    cli(sample_db, "event", "create", "Dec", "--attendees", str(attendees), "--rounds", "2",
        "--start", "2026-12-03T18:00", "--minutes", "10")
    printed = json.loads(cli(sample_db, "pairings", "--event", "Dec", "--json"))
    with Store(sample_db) as store:
        engine = Engine(store)
        (run,) = engine.runs("Dec", 5)
        assert to_json(run.schedule, **run.export_kwargs()) == printed
        back = type(run).from_document(json.loads(json.dumps(run.to_document())))
        assert to_csv(back.schedule, **back.export_kwargs()) == to_csv(run.schedule,
                                                                        **run.export_kwargs())
        assert back.round_times == run.round_times and back.schedule == run.schedule


def test_same_seed_same_schedule_and_history_is_avoided(sample_db, tmp_path):
    first = cli(sample_db, "pairings", "--rounds", "2", "--seed", "7", "--json")
    again = cli(sample_db, "pairings", "--rounds", "2", "--seed", "7", "--json")
    assert json.loads(first)["rounds"] == json.loads(again)["rounds"]
    cli(sample_db, "pairings", "--rounds", "2", "--seed", "7", "--hold")
    held = set(pairs_of(json.loads(first)))
    (tmp_path / "old.json").write_text(first)
    nxt = json.loads(cli(sample_db, "pairings", "--rounds", "2", "--json",
                         "--compare", str(tmp_path / "old.json")))
    assert not held & set(pairs_of(nxt))  # held meetings are history now
    assert nxt["compare"]["removed"] and nxt["compare"]["metrics"]["repeats"] == [0, 0]


def test_host_rules_are_kept_on_rerun(sample_db, tmp_path):
    cli(sample_db, "event", "create", "Tables", "--all", "--rounds", "2", "--table-size", "4")
    cli(sample_db, "event", "lock", "Tables", "m02", "m10", "m29", "m30", "--round", "1")
    cli(sample_db, "event", "forbid", "Tables", "m11", "m12")
    cli(sample_db, "event", "force", "Tables", "m04", "m05")
    for seed in ("0", "1"):
        doc = json.loads(cli(sample_db, "pairings", "--event", "Tables", "--seed", seed, "--json",
                             "--html", str(tmp_path / "p.html"), "--csv", str(tmp_path / "p.csv")))
        assert ["m02", "m10", "m29", "m30"] in [sorted(t["members"]) for t in doc["rounds"][0]]
        tables = [set(t["members"]) for rnd in doc["rounds"] for t in rnd]
        assert not any({"m11", "m12"} <= t for t in tables)
        assert any({"m04", "m05"} <= t for t in tables)
        assert all(4 <= len(t) <= 5 for t in tables)
    html = (tmp_path / "p.html").read_text()
    assert "Round 1" in html and "Dr. Elena Ruiz" in html
    assert (tmp_path / "p.csv").read_text().startswith("round,table,members")
