import pytest
from pydantic import ValidationError

from matcher.profiles import ROLES, Member, normalise_role

BASE = {"id": "m1", "name": "Ana", "specialty": "Bookkeeping for dental clinics in Austin"}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("B2B provider", "b2b-provider"),
        ("Entre-ployee", "entre-ployee"),
        ("entreployee", "entre-ployee"),
        ("business rep", "business-rep"),
        ("Non-B2B Rep", "non-b2b-rep"),
        ("non_b2b_rep", "non-b2b-rep"),
        ("SELF", "self"),
    ],
)
def test_common_role_spellings_are_normalised(given, expected):
    assert normalise_role(given) == expected
    assert Member(**BASE, role=given).role == expected


def test_unknown_role_names_value_and_suggests_nearest():
    with pytest.raises(ValidationError) as info:
        Member(**BASE, role="b2c-provider")
    text = str(info.value)
    assert "'b2c-provider'" in text and "did you mean 'b2b-provider'" in text


def test_blank_role_means_not_declared():
    assert Member(**BASE, role="  ").role is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("specialty", ""), ("specialty", "   "), ("name", ""), ("email", "not-an-email"),
     ("headline", "x" * 2001), ("id", "has space")],
)
def test_invalid_fields_are_rejected_naming_the_field(field, value):
    with pytest.raises(ValidationError) as info:
        Member(**{**BASE, field: value})
    assert info.value.errors()[0]["loc"][0] == field


def test_offers_and_seeks_split_on_semicolons():
    m = Member(**BASE, offers="payroll; monthly books ;", seeks=["a dentist"])
    assert m.offers == ["payroll", "monthly books"]
    assert m.seeks == ["a dentist"]


def test_public_view_has_no_private_fields():
    m = Member(**BASE, email="ana@example.com", phone="+1 512", notes="owes me lunch")
    public = m.public()
    assert not {"email", "phone", "notes"} & set(public)
    assert public["specialty"] == BASE["specialty"]


def test_roles_are_the_five_meetup_roles():
    assert ROLES == ("entre-ployee", "b2b-provider", "business-rep", "self", "non-b2b-rep")
