import json

from typer.testing import CliRunner

from matcher import __version__
from matcher.cli import app

runner = CliRunner()


def test_version_and_help():
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and __version__ in r.stdout
    r = runner.invoke(app, ["-h"])
    assert r.exit_code == 0 and "import" in r.stdout and "members" in r.stdout


def test_members_json_hides_private_fields_unless_asked(sample_db):
    r = runner.invoke(app, ["--db", str(sample_db), "members", "--json"])
    assert r.exit_code == 0
    rows = json.loads(r.stdout)
    assert len(rows) >= 60
    assert all("email" not in row and "phone" not in row for row in rows)
    r = runner.invoke(app, ["--db", str(sample_db), "members", "--json", "--private"])
    assert any(row["email"] for row in json.loads(r.stdout))


def test_db_from_environment(sample_db, monkeypatch):
    monkeypatch.setenv("ROLECALL_DB", str(sample_db))
    r = runner.invoke(app, ["members", "--json"])
    assert r.exit_code == 0 and len(json.loads(r.stdout)) >= 60


def test_import_missing_file_fails_cleanly(tmp_path):
    r = runner.invoke(app, ["--db", str(tmp_path / "x.db"), "import", str(tmp_path / "nope.csv")])
    assert r.exit_code == 2
