"""Numbers are parsed strictly: NaN, infinities, values a record's number field
cannot hold and notations other than plain decimals are form errors; -0.0 is
stored as 0 (a calibration reading of -0.0 is a reading of zero)."""

from decimal import Decimal

import pytest

from qms.forms import BootstrapForm, StrictDecimalField, parse_number
from records.models import Record
from tests.records.factories import GOOD, make_type


class _Form(BootstrapForm):
    reading = StrictDecimalField(required=False, min_value=Decimal("-5"), max_value=Decimal("5"))


@pytest.mark.parametrize("raw, expected", [
    ("1.5", Decimal("1.5")), ("-1.25", Decimal("-1.25")), (" 2 ", Decimal("2")), ("1e0", Decimal("1")),
    ("-0.0", Decimal("0")), ("-0", Decimal("0")), ("+0.000", Decimal("0")), ("", None),
])
def test_plain_numbers_are_read_and_negative_zero_is_zero(raw, expected):
    form = _Form({"reading": raw})
    assert form.is_valid(), form.errors
    value = form.cleaned_data["reading"]
    assert value == expected
    if expected is not None and expected.is_zero():
        assert not value.is_signed() and format(value.normalize(), "f") == "0"


@pytest.mark.parametrize("raw", ["NaN", "nan", "sNaN", "inf", "-Infinity", "1e309", "1e-400", "99999999999999999999",
                                 "1_000", "٣", "0x10", "1,5", "1.2.3", "--1", "1e99999999999999999999999", "6"])
def test_anything_else_is_a_form_error(raw):
    form = _Form({"reading": raw})
    assert not form.is_valid()
    assert "reading" in form.errors


def test_parse_number_is_the_same_rule_for_text_that_is_a_number():
    assert parse_number("-0.0") == 0 and not parse_number("-0.0").is_signed()
    assert parse_number("12.5") == Decimal("12.5")
    assert parse_number("1e309") is None and parse_number("NaN") is None and parse_number("abc") is None


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["NaN", "inf", "1e309", "-Infinity", "٣", "1e-9"])
def test_a_record_number_field_refuses_what_is_not_a_number_and_saves_nothing(client_for, staff, raw):
    make_type("CAL")
    response = client_for(staff).post("/records/new/CAL/", {**GOOD, "deviation": raw, "action": "submit"})
    assert response.status_code == 400
    assert not Record.objects.exists()


@pytest.mark.django_db
def test_a_record_reading_of_minus_zero_is_stored_as_zero(client_for, staff):
    make_type("CAL")
    response = client_for(staff).post("/records/new/CAL/", {**GOOD, "deviation": "-0.0", "action": "submit"})
    assert response.status_code == 302
    assert Record.objects.get().values["deviation"] == "0"


@pytest.mark.django_db
def test_the_form_builder_refuses_bounds_no_number_field_can_hold(client_for, quality_manager):
    make_type("CAL")
    rows = {"f-TOTAL_FORMS": "1", "f-INITIAL_FORMS": "0", "f-MIN_NUM_FORMS": "0", "f-MAX_NUM_FORMS": "1000",
            "f-0-label": "Reading", "f-0-type": "number", "f-0-ORDER": "1",
            "r-TOTAL_FORMS": "0", "r-INITIAL_FORMS": "0", "r-MIN_NUM_FORMS": "0", "r-MAX_NUM_FORMS": "1000"}
    c = client_for(quality_manager)
    for bound in ("NaN", "1e309", "-Infinity"):
        response = c.post("/records/types/CAL/fields/", {**rows, "f-0-min": bound})
        assert response.status_code in (200, 400)
    rule = {"r-TOTAL_FORMS": "1", "r-0-kind": "range", "r-0-field": "Reading", "r-0-low": "1e309"}
    response = c.post("/records/types/CAL/fields/", {**rows, **rule})
    assert "not a number a field can hold" in response.content.decode()
    from records.models import FormVersion

    assert FormVersion.objects.filter(record_type__code="CAL").count() == 1  # nothing saved
    response = c.post("/records/types/CAL/fields/", {**rows, "f-0-min": "-0.0"})
    assert response.status_code == 302
    assert FormVersion.objects.filter(record_type__code="CAL").latest("version").fields[0]["min"] == "0"
