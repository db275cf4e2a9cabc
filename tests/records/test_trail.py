"""Issue 12: a record's audit trail in words: "Record created" once (not
"Record created" and "Record: created"), each transition merged with its save,
dates without microseconds, no verb codes."""

import re

import pytest

from records import services
from tests.records.factories import GOOD, make_record

pytestmark = pytest.mark.django_db


def test_record_trail_shows_each_change_once_in_words(staff, approver, quality_manager, cal_type, password, media,
                                                       client_for):
    record = make_record(staff, cal_type)
    services.record_verify(actor=approver, record=record, password=password, comment="Checked against the log")
    services.record_amend(actor=staff, record=record, values={**GOOD, "deviation": "2"}, reason="Typo in reading")
    body = client_for(quality_manager).get(f"/records/{record.number}/").content.decode()
    trail = re.sub(r' datetime="[^"]*"', "", body[body.index('<ol class="list-unstyled trail">'):])
    lines = re.findall(r"<strong>(.*?)</strong>", trail)
    assert lines == ["Record created", "Record submitted", "Signed electronically: Verified", "Record verified",
                     "Record amended"], lines
    assert "Status: <del>Draft</del> → <ins>Submitted</ins>" in trail
    assert re.search(r"Submitted at: <del>—</del> → <ins>\d{4}-\d\d-\d\d \d\d:\d\d UTC</ins>", trail)
    assert "Submitted by: <del>—</del> → <ins>Sam Lee</ins>" in trail
    assert trail.count("Checked against the log") == 2  # the signature's comment and the verification's
    assert "Why: Typo in reading" in trail and "amendment 1" not in trail
    for code in ("record.", "Record: ", "Record changed", "signature.", "+00:00", "Why: submitted", "Why: draft created"):
        assert code not in trail, code
    assert not re.search(r"\d\d:\d\d:\d\d\.\d", trail)
