"""Issue 15: importing what hosts actually have. Sample exports in tests/data/exports (their
README says where each header layout comes from); the expected values below are read off
those files by eye, not from the importer's output."""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from typer.testing import CliRunner

from matcher.cli import app as cli_app
from matcher.errors import ValidationFailed
from matcher.importing import (
    derive_id,
    match_columns,
    parse_file,
    parse_members,
    read_file,
    read_members,
    split_list,
)
from matcher.keys import create_key
from matcher.store import Store
from service.app import create_app
from service.settings import Settings

EXPORTS = Path(__file__).resolve().parent / "data" / "exports"
runner = CliRunner()


def cli(db, *args):
    return runner.invoke(cli_app, ["--db", str(db), *args])


def by_name(members):
    return {m.name: m for m in members}


# -- the five (six) sample exports ----------------------------------------------------------
def test_eventbrite_attendee_report_imports_with_no_mapping():
    people = by_name(read_members(EXPORTS / "eventbrite_attendees.csv"))
    assert set(people) == {"Maria Gonzalez", "Dev Patel", "James O'Connor", "Lin Chen"}
    maria = people["Maria Gonzalez"]
    assert (maria.email, maria.phone, maria.headline, maria.company) == (
        "maria@gonzalezbooks.example.com", "+1 512 555 0142", "Owner", "Gonzalez Bookkeeping")
    assert maria.specialty.startswith("Monthly bookkeeping and payroll for restaurants")
    assert maria.seeks == ["restaurant owners", "a commercial insurance broker",
                           "a point-of-sale vendor"]
    assert people["Dev Patel"].seeks == ["founders who just hired their tenth employee",
                                         "employment lawyers", "payroll providers"]
    assert people["James O'Connor"].seeks == ["financial advisors", "CPAs who serve retirees"]
    assert people["Lin Chen"].phone is None  # an empty Cell Phone cell


def test_eventbrite_report_lists_the_columns_it_kept_aside():
    info = read_file(EXPORTS / "eventbrite_attendees.csv").describe()
    assert info["unknown_columns"] == ["Order #", "Order Date", "Quantity", "Ticket Type",
                                       "Attendee #", "Attendee Status"]
    assert info["columns"]["What does your business do?"] == "specialty"
    assert info["columns"]["Who would you like to meet?"] == "seeks"


def test_meetup_member_list_as_excel_unicode_text():
    parsed = read_file(EXPORTS / "meetup_members.txt")
    assert (parsed.encoding, parsed.delimiter) == ("utf-16", "\t")
    people = by_name(read_members(EXPORTS / "meetup_members.txt"))
    jose = people["José Álvarez"]
    assert jose.id == "201934877" and jose.location == "Austin, TX"
    assert jose.specialty == "I run a small commercial cleaning company for offices and clinics"
    assert jose.seeks == ["office managers", "property managers"]
    assert people["Zoë Park"].location == "Pflugerville, TX"
    assert "Intro" in parsed.columns.unknown


def test_google_forms_responses_xlsx():
    people = by_name(read_members(EXPORTS / "google_forms_responses.xlsx"))
    priya, tom = people["Priya Raman"], people["Tom Becker"]
    assert priya.offers == ["cash-flow forecasts", "fundraising models", "board decks"]
    assert priya.seeks == ["SaaS founders about to raise a seed round", "startup lawyers"]
    assert (priya.headline, priya.company) == ("Fractional CFO", "LedgerLite")
    assert tom.phone == "5125550133"  # a number cell, not "5125550133.0"
    assert tom.offers == ["seasonal planting", "irrigation repair", "snow removal"]


def test_typeform_questions_are_recognised():
    people = by_name(read_members(EXPORTS / "typeform_responses.csv"))
    hannah = people["Hannah Schultz"]
    assert (hannah.email, hannah.company) == ("hannah@schultzdesign.example.com",
                                              "Schultz Design Studio")
    assert hannah.specialty == "Interior design for dental and medical offices"
    assert hannah.offers == ["space planning", "furniture sourcing"]


def test_salesforce_contacts_cp1252_semicolons_with_one_mapping():
    path = EXPORTS / "salesforce_contacts.csv"
    with pytest.raises(ValidationFailed) as info:  # no column says what they do
        read_members(path)
    hint, *rows = info.value.errors
    assert (hint.row, hint.field) == (0, "specialty") and "'Description'" in hint.message
    assert [(e.row, e.field, e.message) for e in rows] == [
        (r, "specialty", "Field required") for r in (1, 2, 3)]
    people = by_name(read_members(path, mapping={"Description": "specialty"}))
    renee = people["Renée Dubois"]
    assert renee.id == "0035g00000XyZ1aAAB" and renee.company == "Café Lumière"
    assert renee.specialty.endswith("(from 12 € per kilo)")
    assert renee.location == "Lyon, Auvergne-Rhône-Alpes, France"
    assert people["François Martin"].phone == "+33 6 12 34 56 78"  # Mobile, Phone empty
    assert read_file(path).encoding == "cp1252"


def test_hand_typed_spreadsheet():
    parsed = read_file(EXPORTS / "host_spreadsheet.csv")
    assert parsed.describe()["unknown_columns"] == []  # the trailing empty columns are dropped
    people = by_name(read_members(EXPORTS / "host_spreadsheet.csv"))
    assert set(people) == {"Carla Mendes", "Ben Ito", "Dana Whitfield"}
    carla = people["Carla Mendes"]
    assert carla.company == "Mendes Tax" and carla.notes == "sat near the door last time"
    assert carla.seeks == ["bookkeeping", "payroll", "tax filing partners"]
    assert people["Ben Ito"].seeks == ["property managers", "realtors"]
    assert [r.row for r in parsed.rows] == [1, 3, 4]  # row 2 is the blank line


# -- headers, mapping, lists ----------------------------------------------------------------
@pytest.mark.parametrize("header,field", [
    ("Email Address", "email"), ("E-mail", "email"), ("EMAIL", "email"),
    ("Full Name", "name"), ("First Name", "first_name"), ("Last Name", "last_name"),
    ("Job Title", "headline"), ("Title", "headline"), ("Position", "headline"),
    ("Company", "company"), ("Organization", "company"), ("Business name", "company"),
    ("City", "location"), ("Location", "location"), ("Phone number", "phone"),
    (" phone_number ", "phone"), ("Speciality", "specialty"),
])
def test_forgiving_header_matching(header, field):
    assert match_columns([header]).fields == {header: field}


def test_the_issue_file_imports_with_two_maps(tmp_path):
    data = ("Order #,First Name,Last Name,Email,Job Title,Company,Tell us about your work,"
            "Your ideal introduction\n"
            "1001,Ana,Lopez,ana@lopez.example.com,Owner,Lopez CPA,Tax prep for nurses,"
            "hospital HR managers\n")
    with pytest.raises(ValidationFailed):
        parse_members(data.encode(), "csv")
    members = parse_members(data.encode(), "csv", mapping={
        "Tell us about your work": "specialty", "Your ideal introduction": "seeks"})
    assert members[0].specialty == "Tax prep for nurses"
    assert members[0].seeks == ["hospital HR managers"]


def test_a_bad_mapping_names_the_column_and_the_field():
    data = b"Name,Email,Answer\nAna,ana@x.example.com,Tax\n"
    with pytest.raises(ValidationFailed) as info:
        parse_file(data, "csv", mapping={"Answr": "specialty", "Answer": "speciality"})
    messages = [str(e) for e in info.value.errors]
    assert messages[0].startswith("row 0, field map: no column 'Answr' in the file")
    assert "cannot map 'Answer' to 'speciality'" in messages[1]


def test_map_to_dash_leaves_a_recognised_column_aside():
    cols = match_columns(["Name", "Title"], {"Title": "-"})
    assert cols.fields == {"Name": "name"} and cols.unknown == ["Title"]


def test_free_text_lists_are_split():
    assert split_list("a; b\nc") == ["a", "b", "c"]
    assert split_list("web design, SEO, and hosting") == ["web design", "SEO", "hosting"]
    assert split_list("1. coaching\n2) workshops") == ["coaching", "workshops"]


# -- ids ---------------------------------------------------------------------------------------
def test_derived_ids_are_stable_and_hide_the_email():
    a, basis = derive_id({"email": "Ana@Lopez.example.com"})
    assert basis == "email" and a == derive_id({"email": " ana@lopez.example.com"})[0]
    assert a == "p-" + hashlib.sha256(b"email:ana@lopez.example.com").hexdigest()[:12]
    assert "ana" not in a
    b, basis = derive_id({"name": "Ben Ito", "company": "Ito Plumbing"})
    assert basis == "name and company" and b != derive_id({"name": "Ben Ito"})[0]


def test_a_person_twice_in_one_file_is_reported():
    data = (b"Name,Email,What do you do?\nAna,ana@x.example.com,Tax\n"
            b"Bo,bo@x.example.com,Plumbing\nAna L,ANA@x.example.com,Tax returns\n")
    with pytest.raises(ValidationFailed) as info:
        parse_members(data, "csv")
    assert [str(e) for e in info.value.errors] == [
        "row 3, field email: the same person as row 1 (same email); merge the two rows or "
        "remove one"]


def test_reimporting_the_next_export_updates_the_same_members(tmp_path):
    db = tmp_path / "t.db"
    first = EXPORTS / "eventbrite_attendees.csv"
    assert cli(db, "import", str(first)).exit_code == 0
    with Store(db) as store:
        ids = {m.name: m.id for m in store.members()}
    nxt = first.read_text(encoding="utf-8").replace(
        "HR consulting and employee handbooks", "HR consulting and handbooks") + (
        "4410293899,2026-11-25 10:00:00,Omar,Haddad,omar@haddad.example.com,1,"
        "General Admission,5520193099,Owner,Haddad Signs,,Vinyl signs and vehicle wraps,"
        "new shop owners,Attending\r\n")
    (tmp_path / "next.csv").write_text(nxt, encoding="utf-8")
    report = json.loads(cli(db, "import", str(tmp_path / "next.csv"), "--json").stdout)
    assert (report["created"], report["updated"], report["unchanged"]) == (1, 1, 3)
    assert report["changes"] == {ids["Dev Patel"]: ["specialty"]}
    with Store(db) as store:
        assert store.count_members() == 5
        assert {m.name: m.id for m in store.members()}.items() >= ids.items()


def test_a_list_without_ids_updates_members_found_by_email(sample_db):
    with Store(sample_db) as store:
        m01 = store.member("m01")
    data = f"Email,Job Title\n{m01.email.upper()},Chief Everything Officer\n"
    path = sample_db.parent / "titles.csv"
    path.write_text(data)
    report = json.loads(cli(sample_db, "import", str(path), "--json").stdout)
    assert report["changes"] == {"m01": ["headline"]} and report["created"] == 0
    with Store(sample_db) as store:
        assert store.member("m01").headline == "Chief Everything Officer"
        assert store.member("m01").specialty == m01.specialty


# -- encodings, delimiters, xlsx ----------------------------------------------------------------
ROWS = [["Full Name", "E-mail", "What does your business do?", "Looking for"],
        ["Renée Çelik", "renee@celik.example.com", "Café catering; 20 € lunches", "offices"],
        ["Bo Diaz", "bo@diaz.example.com", "Payroll for roofers", "roofers, framers, and GCs"]]


def _csv(delim: str) -> str:
    return "\r\n".join(delim.join(f'"{c}"' if delim in c else c for c in r) for r in ROWS) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le"])
@pytest.mark.parametrize("delim", [",", ";", "\t"])
def test_encodings_and_delimiters_read_the_same(encoding, delim):
    members = parse_members(_csv(delim).encode(encoding), "csv")
    assert [m.name for m in members] == ["Renée Çelik", "Bo Diaz"]
    assert members[0].specialty == "Café catering; 20 € lunches"
    assert members[1].seeks == ["roofers", "framers", "GCs"]


def test_xlsx_reads_like_the_csv():
    book = Workbook()
    for row in ROWS:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    assert parse_members(buf.getvalue(), "xlsx") == parse_members(_csv(",").encode(), "csv")


def test_not_a_workbook_is_a_file_error():
    with pytest.raises(ValidationFailed, match="row 0, field file: not an Excel .xlsx workbook"):
        parse_members(b"id,name\n", "xlsx")


# -- dry run, saved mappings (CLI and API) -------------------------------------------------------
ASK = ("Name,Email,Tell us about your work\n"
       "Ana Lopez,ana@lopez.example.com,Tax prep for traveling nurses\n")


def test_dry_run_writes_nothing_and_says_what_would_happen(tmp_path):
    db = tmp_path / "t.db"
    src = EXPORTS / "eventbrite_attendees.csv"
    assert cli(db, "import", str(src)).exit_code == 0
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    (tmp_path / "next.csv").write_text(src.read_text(encoding="utf-8").replace(
        "Realtor", "Broker"), encoding="utf-8")
    r = cli(db, "import", str(tmp_path / "next.csv"), "--dry-run", "--json")
    report = json.loads(r.stdout)
    assert report["dry_run"] is True and report["updated"] == 1 and report["encoded"] > 0
    assert list(report["changes"].values()) == [["headline"]]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    human = cli(db, "import", str(tmp_path / "next.csv"), "--dry-run")
    assert "Would import next.csv: 0 created, 1 updated" in human.stdout
    assert "Nothing was written" in human.stdout
    done = json.loads(cli(db, "import", str(tmp_path / "next.csv"), "--json").stdout)
    same = ("created", "updated", "unchanged", "encoded", "changes", "created_ids")
    assert {k: done[k] for k in same} == {k: report[k] for k in same}


def test_cli_map_is_remembered_for_the_event(tmp_path):
    db = tmp_path / "t.db"
    (tmp_path / "a.csv").write_text(ASK)
    r = cli(db, "import", str(tmp_path / "a.csv"), "--event", "dec", "--json",
            "--map", "Tell us about your work=specialty")
    assert r.exit_code == 0, r.stdout
    with Store(db) as store:
        assert store.event("dec").settings["import_map"] == {
            "Tell us about your work": "specialty"}
        assert len(store.attendees("dec")) == 1
    (tmp_path / "b.csv").write_text(ASK.replace("Ana Lopez,ana@lopez", "Bo Diaz,bo@diaz"))
    r = cli(db, "import", str(tmp_path / "b.csv"), "--event", "dec", "--json")  # no --map
    assert r.exit_code == 0, r.stdout
    assert json.loads(r.stdout)["created"] == 1
    (tmp_path / "c.csv").write_text(ASK.replace("Ana Lopez,ana@lopez", "Cy Ng,cy@ng"))
    r = cli(db, "import", str(tmp_path / "c.csv"), "--json")  # no event, no memory
    assert r.exit_code == 1 and json.loads(r.stdout)["errors"][0]["field"] == "specialty"


def test_cli_bad_map_is_a_clean_error(tmp_path):
    (tmp_path / "a.csv").write_text(ASK)
    r = cli(tmp_path / "t.db", "import", str(tmp_path / "a.csv"), "--json", "--map", "nonsense")
    assert r.exit_code == 1 and "a mapping is 'Header=field'" in json.loads(r.stdout)["error"]


@pytest.fixture
def api(sample_db, encoder):
    with Store(sample_db) as store:
        admin = create_key(store, "admin").secret
        store.create_event("dec")
    app = create_app(settings=Settings(db=str(sample_db)), encoder=encoder)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, {"Authorization": f"Bearer {admin}"}, sample_db


def test_api_map_query_dry_run_and_event_memory(api):
    client, h, db = api
    url = "/v1/members/import?event=dec&map=Tell%20us%20about%20your%20work%3Dspecialty"
    r = client.post(url + "&dry_run=true", content=ASK, headers=h | {"Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.json()["dry_run"] is True and r.json()["created"] == 1
    with Store(db) as store:
        assert store.count_members() == 72 and "import_map" not in store.event("dec").settings
    r = client.post(url, content=ASK, headers=h | {"Content-Type": "text/csv"})
    assert r.status_code == 200 and r.json()["created"] == 1
    assert r.json()["file"]["columns"]["Tell us about your work"] == "specialty"
    nxt = ASK.replace("Ana Lopez,ana@lopez", "Bo Diaz,bo@diaz")
    r = client.post("/v1/members/import?event=dec", content=nxt,
                    headers=h | {"Content-Type": "text/csv"})
    assert r.status_code == 200 and r.json()["created"] == 1  # the remembered mapping
    with Store(db) as store:
        assert len(store.attendees("dec")) == 2


def test_api_multipart_mapping_object_and_xlsx(api):
    client, h, _ = api
    book = Workbook()
    for row in [["Name", "Email", "Tell us about your work"],
                ["Cy Ng", "cy@ng.example.com", "Bike repair for commuters"]]:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    r = client.post("/v1/members/import", headers=h,
                    files={"file": ("list.xlsx", buf.getvalue())},
                    data={"mapping": json.dumps({"Tell us about your work": "specialty"})})
    assert r.status_code == 200, r.text
    assert r.json()["file"]["format"] == "xlsx" and r.json()["created"] == 1
    r = client.post("/v1/members/import", headers=h, files={"file": ("list.xlsx", buf.getvalue())},
                    data={"mapping": "[1, 2]"})
    assert r.status_code == 422


def test_api_bad_map_is_422_with_row_errors(api):
    client, h, _ = api
    r = client.post("/v1/members/import?map=Nope%3Dspecialty", content=ASK,
                    headers=h | {"Content-Type": "text/csv"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "map"


def test_meetup_bytes_are_not_utf8_but_are_read(tmp_path):
    raw = (EXPORTS / "meetup_members.txt").read_bytes()
    assert raw.startswith(codecs.BOM_UTF16_LE)
    shutil.copy(EXPORTS / "meetup_members.txt", tmp_path / "m.txt")
    r = cli(tmp_path / "t.db", "import", str(tmp_path / "m.txt"), "--dry-run", "--json")
    assert r.exit_code == 0, r.stdout
    assert json.loads(r.stdout)["created"] == 3


# -- the host's upload page: preview with a dropdown per column, remembered ---------------------
@pytest.fixture
def host_site(sample_db, encoder):
    with Store(sample_db) as store:
        store.create_event("dec", attendees=["m01", "m02"])
        key = create_key(store, "host", event="dec").secret
    app = create_app(settings=Settings(db=str(sample_db)), encoder=encoder)
    with TestClient(app, base_url="https://testserver") as client:
        token = _token(client.get("/signin").text)
        assert client.post("/signin", data={"key": key, "csrf": token},
                           follow_redirects=False).status_code == 303
        yield client, sample_db


def _token(page: str) -> str:
    import re

    return re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)


def _hidden(page: str, name: str) -> str:
    import re

    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def test_host_preview_maps_a_column_and_remembers_it(host_site):
    import re

    client, db = host_site
    token = _token(client.get("/host/dec").text)
    r = client.post("/host/dec/attendees/preview", data={"csrf": token},
                    files={"file": ("list.csv", ASK.encode())})
    assert r.status_code == 200, r.text
    assert "Nothing can be imported yet" in r.text and "Tell us about your work" in r.text
    assert re.search(r'<option value="email" selected>', r.text)  # from the header
    with Store(db) as store:
        assert store.count_members() == 72  # a preview writes nothing
    form = {"csrf": token, "data": _hidden(r.text, "data"), "filename": "list.csv",
            "col-0": "name", "col-1": "email", "col-2": "specialty"}
    again = client.post("/host/dec/attendees/preview", data=form)
    assert "Would import: 1 new, 0 updated, 0 unchanged." in again.text
    done = client.post("/host/dec/attendees/import", data=form, follow_redirects=False)
    assert done.status_code == 303 and "created=1" in done.headers["location"]
    with Store(db) as store:
        assert store.event("dec").settings["import_map"]["Tell us about your work"] == "specialty"
        assert len(store.attendees("dec")) == 3
    nxt = ASK.replace("Ana Lopez,ana@lopez", "Bo Diaz,bo@diaz").encode()
    r = client.post("/host/dec/attendees/preview", data={"csrf": token},
                    files={"file": ("next.csv", nxt)})
    assert "Would import: 1 new" in r.text  # the remembered mapping applies
    assert re.search(r'id="col-2" name="col-2">.*?<option value="specialty" selected>', r.text,
                     re.S)


def test_host_preview_needs_the_csrf_token(host_site):
    client, _ = host_site
    r = client.post("/host/dec/attendees/preview", files={"file": ("a.csv", ASK.encode())})
    assert r.status_code == 403
    r = client.post("/host/dec/attendees/import", data={"data": "aWQ="})
    assert r.status_code == 403


def test_host_preview_import_errors_show_again_and_write_nothing(host_site):
    client, db = host_site
    token = _token(client.get("/host/dec").text)
    bad = "Name,Email,What do you do?\nAna,ana@x.example.com,Tax\nBo,bo@x,Plumbing\n"
    import base64

    form = {"csrf": token, "data": base64.b64encode(bad.encode()).decode(), "filename": "b.csv"}
    r = client.post("/host/dec/attendees/import", data=form)
    import re

    errors = re.search(r'<ul class="errors" id="row-errors">(.*?)</ul>', r.text, re.S).group(1)
    assert r.status_code == 422 and "row 2 (Bo): email: value is not a valid email" in errors
    assert "bo@x" not in errors  # the messages do not repeat private values
    with Store(db) as store:
        assert store.count_members() == 72


def test_api_xlsx_body_by_content_type(api):
    client, h, _ = api
    xlsx = (EXPORTS / "google_forms_responses.xlsx").read_bytes()
    ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    r = client.post("/v1/members/import?dry_run=true", content=xlsx,
                    headers=h | {"Content-Type": ctype})
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["file"]["format"]) == (2, "xlsx")
