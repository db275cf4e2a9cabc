"""Issue 10: downloads of controlled content carry `Cache-Control: no-store`."""

import pytest

from tests.records.factories import make_record, pdf_upload

pytestmark = pytest.mark.django_db


def test_controlled_downloads_are_not_stored(client_for, staff, cal_type, media):
    record = make_record(staff, cal_type, evidence=[pdf_upload()])
    response = client_for(staff).get(f"/records/evidence/{record.evidence.get().pk}/download/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
