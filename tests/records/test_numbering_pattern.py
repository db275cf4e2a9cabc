"""A record type's numbering pattern is checked by rendering the numbers it
can produce, the longest included: a pattern whose numbers do not fit the
number column or do not sit in a link is a form error, and
a pattern saved before the check gives a message on a new record, not a 500."""

import pytest

from records.models import LONGEST_SEQ, Record, RecordType, numbering_problem
from tests.records.factories import GOOD, make_type

pytestmark = pytest.mark.django_db


def _type_post(client, pattern, code="GAUGE"):
    return client.post("/records/types/new/", {
        "code": code, "name": "Gauge check", "numbering_pattern": pattern, "retention_years": "5", "is_active": "on",
    })


@pytest.mark.parametrize("pattern, says", [
    ("{code}-{year}-{seq:080}", "at most 40"),
    # Fits for the first record (35 characters), not for the ten-millionth-minus-one (41).
    ("{code}-{year}-CALIBRATION-REC-{seq}", "at most 40"),
    ("{code}/{year}/{seq:05}", "letters, digits, hyphens"),
    ("{code} {seq:>6}", "letters, digits, hyphens"),
    ("{code}-{seq.real}", "only {code}, {year} and {seq}"),
    ("{code!r}-{seq}", "only {code}, {year} and {seq}"),
    ("{code}-{seq:{code}}", "only {code}, {year} and {seq}"),
    ("{code}-{dept}-{seq}", "only {code}, {year} and {seq}"),
    ("{code}-{year}", "needs {seq}"),
    ("{code}-{seq", "braces do not match"),
    ("{code}-{seq:.0}", "widths only"),
])
def test_a_pattern_that_cannot_number_every_record_is_a_form_error(client_for, quality_manager, pattern, says):
    response = _type_post(client_for(quality_manager), pattern, code="ABCDEFGHIJKL")
    assert response.status_code == 200
    assert says in response.content.decode()
    assert not RecordType.objects.filter(code="ABCDEFGHIJKL").exists()


def test_the_check_renders_the_longest_number_not_the_first():
    pattern = "{code}-{year}-CALIBRATION-REC-{seq}"
    code = "ABCDEFGHIJKL"
    assert len(pattern.format(code=code, year=2026, seq=1)) <= 40  # what the old check rendered
    assert len(pattern.format(code=code, year=2026, seq=LONGEST_SEQ)) > 40
    assert "41 characters" in numbering_problem(pattern, code)
    assert numbering_problem(pattern, "CAL") is None  # a shorter code leaves room for it


@pytest.mark.parametrize("pattern", ["{code}-{year}-{seq:05}", "{code}-{seq:03}", "REC_{year}.{seq:06}", "{code}{seq}"])
def test_ordinary_patterns_are_accepted(client_for, quality_manager, pattern):
    response = _type_post(client_for(quality_manager), pattern)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RecordType.objects.get(code="GAUGE").numbering_pattern == pattern


def test_a_pattern_saved_before_the_check_gives_a_message_not_a_500(client_for, staff):
    rt = make_type("CAL", verification_required=False)
    RecordType.objects.filter(pk=rt.pk).update(numbering_pattern="{code}-{year}-{seq:080}")  # an old, unchecked row
    data = {**GOOD, "action": "submit"}
    response = client_for(staff).post("/records/new/CAL/", data)
    assert response.status_code == 400
    assert "cannot number this record" in response.content.decode()
    assert not Record.objects.exists()


def test_a_retention_beyond_a_century_is_a_form_error_not_a_broken_type(client_for, quality_manager):
    """retain_until is a date: 32767 years (what the column holds) is past year 9999."""
    response = client_for(quality_manager).post("/records/types/new/", {
        "code": "GAUGE", "name": "Gauge check", "numbering_pattern": "{code}-{seq:04}", "retention_years": "32767",
        "is_active": "on"})
    assert response.status_code == 200 and "At most 100 years" in response.content.decode()
    assert not RecordType.objects.exists()
