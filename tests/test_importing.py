import json

import pytest

from matcher.errors import ValidationFailed
from matcher.importing import parse_file, parse_members

HEADER = "id,name,email,specialty,offers,seeks,role\n"
GOOD = 'm1,Ana,ana@example.com,Bookkeeping for clinics,"payroll;books",a dentist,B2B provider\n'


def test_csv_with_and_without_bom():
    plain = parse_members((HEADER + GOOD).encode(), "csv")
    bom = parse_members(b"\xef\xbb\xbf" + (HEADER + GOOD).encode(), "csv")
    assert plain == bom
    assert plain[0].offers == ["payroll", "books"] and plain[0].role == "b2b-provider"


def test_json_and_jsonl_agree_with_csv():
    rec = {"id": "m1", "name": "Ana", "email": "ana@example.com",
           "specialty": "Bookkeeping for clinics", "offers": ["payroll", "books"],
           "seeks": "a dentist", "role": "B2B provider"}
    from_csv = parse_members((HEADER + GOOD).encode(), "csv")
    assert parse_members(json.dumps([rec]).encode(), "json") == from_csv
    assert parse_members(("\ufeff" + json.dumps(rec) + "\n\n").encode(), "jsonl") == from_csv


def test_every_bad_row_is_listed_with_row_and_field():
    data = (
        HEADER
        + GOOD
        + "m2,Bo,bo@example,Plumbing,,,\n"  # bad email
        + "m3,Cy,,,,,\n"  # empty specialty
        + "m1,Di,,Tax prep,,,\n"  # duplicate id
        + "m4,Ed,,Dog walking,,,wizard\n"  # unknown role
    ).encode()
    with pytest.raises(ValidationFailed) as info:
        parse_members(data, "csv")
    got = [(e.row, e.field) for e in info.value.errors]
    assert got == [(2, "email"), (3, "specialty"), (4, "id"), (5, "role")]
    text = str(info.value)
    assert "row 2, field email:" in text and "'bo@example'" in text
    assert "row 4, field id: duplicate id 'm1' (first in row 1)" in text
    assert "row 5, field role: unknown role 'wizard'" in text


def test_unknown_columns_are_kept_aside_and_listed():
    parsed = parse_file(b"id,name,speciality,Favourite colour\nm1,Ana,Tax,green\n", "csv")
    assert parsed.columns.fields == {"id": "id", "name": "name", "speciality": "specialty"}
    assert parsed.describe()["unknown_columns"] == ["Favourite colour"]
    assert parsed.rows[0].aside == {"Favourite colour": "green"}
    assert parse_members(b"id,name,speciality,Favourite colour\nm1,Ana,Tax,green\n", "csv")[
        0].specialty == "Tax"


def test_bad_json_and_wrong_shape():
    with pytest.raises(ValidationFailed, match="invalid JSON"):
        parse_members(b"[{", "json")
    with pytest.raises(ValidationFailed, match="expected a JSON array"):
        parse_members(b'{"id": "m1"}', "json")
    with pytest.raises(ValidationFailed) as info:
        parse_members(b'{"id":"m1","name":"A","specialty":"x"}\n{oops\n', "jsonl")
    assert [(e.row, e.field) for e in info.value.errors] == [(2, "-")]


def test_over_long_field_is_rejected():
    long = "x" * 2001
    with pytest.raises(ValidationFailed, match="row 1, field specialty"):
        parse_members(f"id,name,specialty\nm1,Ana,{long}\n".encode(), "csv")
