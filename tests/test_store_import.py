"""Import into the store: all-or-nothing, upsert by id, the embedding cache."""

import hashlib
import sqlite3

import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.engine import Engine
from matcher.importing import parse_members
from matcher.store import Store

CSV = (
    "id,name,email,specialty,offers,seeks,role\n"
    "a1,Ana,ana@example.com,Bookkeeping for dental clinics,monthly books;payroll,dentists,b2b provider\n"
    "b2,Bo,,Pediatric dentist in Austin,kids' dental care,a bookkeeper for my practice,\n"
)


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_second_import_of_same_file_encodes_nothing(tmp_path, encoder):
    members = parse_members(CSV.encode(), "csv")
    with Store(tmp_path / "t.db") as store:
        engine = Engine(store, encoder=encoder)
        before = encoder.n_encoded
        first = engine.import_members(members)
        assert first.created == 2 and first.encoded == encoder.n_encoded - before > 0
        before = encoder.n_encoded
        second = engine.import_members(members)
        assert second.encoded == 0 and encoder.n_encoded == before
        assert (second.created, second.unchanged) == (0, 2)


def test_reimport_upserts_by_id_and_embeds_only_changed_text(tmp_path, encoder):
    with Store(tmp_path / "t.db") as store:
        engine = Engine(store, encoder=encoder)
        engine.import_members(parse_members(CSV.encode(), "csv"))
        changed = CSV.replace("Pediatric dentist in Austin", "Pediatric dentist in Round Rock")
        report = engine.import_members(parse_members(changed.encode(), "csv"))
        # the specialty, profile and trade texts changed; no offer or seek did
        assert (report.updated, report.unchanged, report.encoded) == (1, 1, 3)
        assert store.member("b2").specialty == "Pediatric dentist in Round Rock"
        assert store.count_members() == 2


def test_bad_row_leaves_database_byte_for_byte(tmp_path, encoder):
    db = tmp_path / "t.db"
    good = tmp_path / "good.csv"
    good.write_text(CSV)
    runner = CliRunner()
    assert runner.invoke(app, ["--db", str(db), "import", str(good)]).exit_code == 0
    before = digest(db)
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV.replace("a1,Ana", "a1,Ana2") + "c3,Cy,cy@nowhere,,x,y,\n")
    result = runner.invoke(app, ["--db", str(db), "import", str(bad), "--json"])
    assert result.exit_code == 1
    assert '"row": 3' in result.stdout and '"field": "email"' in result.stdout
    assert '"field": "specialty"' in result.stdout
    assert digest(db) == before
    with Store(db) as store:
        assert store.member("a1").name == "Ana"


def test_wal_mode_and_concurrent_readers(tmp_path, encoder):
    db = tmp_path / "t.db"
    with Store(db) as store:
        Engine(store, encoder=encoder).import_members(parse_members(CSV.encode(), "csv"))
        con = sqlite3.connect(db)
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        con.execute("BEGIN")
        assert con.execute("SELECT count(*) FROM members").fetchone()[0] == 2
        # a reader holding a transaction open does not stop the store from reading
        assert len(Store(db).members()) == 2
        con.rollback()
        con.close()


def test_schema_is_migrated_by_alembic(tmp_path):
    with Store(tmp_path / "t.db"):
        pass
    con = sqlite3.connect(tmp_path / "t.db")
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"members", "events", "attendance", "meetings", "embeddings", "alembic_version"} <= tables
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def test_events_attendance_and_meeting_history(tmp_path, encoder):
    with Store(tmp_path / "t.db") as store:
        Engine(store, encoder=encoder).import_members(parse_members(CSV.encode(), "csv"))
        store.create_event("Nov mixer", date="2026-11-30", attendees=["a1", "b2"])
        assert store.attendees("Nov mixer") == ["a1", "b2"]
        store.add_meetings([("b2", "a1")], event_name="Nov mixer")
        assert store.met_pairs() == {("a1", "b2")}
        with pytest.raises(ValueError, match="exists already"):
            store.create_event("Nov mixer")


def test_partial_save_writes_only_the_given_fields(tmp_path, encoder):
    """An import that read a member, then lost a race with an edit of another field, does not
    overwrite that edit: only the fields its file gave are written."""
    with Store(tmp_path / "t.db") as store:
        engine = Engine(store, encoder=encoder)
        engine.import_members(parse_members(CSV.encode(), "csv"))
        stale = store.member("a1")
        edited = stale.model_copy(update={"notes": "edited meanwhile"})
        store.save_import([edited], {}, model_id=engine.model_id)  # someone else's edit
        renamed = stale.model_copy(update={"name": "Ana Q."})  # still holds the old notes
        counts = store.save_import([renamed], {}, model_id=engine.model_id,
                                   fields={"a1": {"name"}})
        assert counts["updated"] == 1
        assert (store.member("a1").name, store.member("a1").notes) == ("Ana Q.",
                                                                       "edited meanwhile")
