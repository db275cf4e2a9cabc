"""Browser: the quality manager ticks five records on the register (select-all),
verifies them with one signature, and sees five verified records with five
signature rows (issue 18, bulk actions)."""

import pytest
from django.contrib.auth.models import Group

from qms.models import Signature
from qms.permissions import Role
from qms.signatures import content_hash
from records.models import Record
from tests.records.factories import make_record, make_type

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _roles(db):
    for name in Role.ALL:
        Group.objects.get_or_create(name=name)


def test_quality_manager_bulk_verifies_five_records_with_one_signature(page, login, staff, quality_manager,
                                                                      password):
    cal = make_type("CAL", name="Calibration record")
    records = [make_record(staff, cal) for _ in range(5)]
    login(quality_manager)
    page.goto("/records/?verified=no")
    select_all = page.get_by_label("Select all records on this page")
    select_all.check()  # shown by static/js/bulk.js
    assert page.locator('input[name="ids"]:checked').count() == 5
    assert page.locator("[data-bulk-count]").inner_text() == "5 selected:"
    page.get_by_role("button", name="Verify (one signature)").click()
    page.wait_for_url("**/records/bulk/?*")
    listing = page.locator("table.bulk-rows").inner_text()
    for r in records:  # every record and the hash its signature will hold, before signing
        assert r.number in listing and content_hash(r.signature_content()) in listing
    page.get_by_label("Password").fill(password)
    page.get_by_label("Comment").fill("Batch checked against the certificates")
    page.get_by_role("button", name="Sign: Verified").click()
    page.wait_for_url("**/records/bulk/verify/")
    assert page.locator('[data-bulk-result="done"]').count() == 5
    assert "5 of 5 verified and signed." in page.locator("[data-bulk-summary]").inner_text()

    page.goto("/records/?verified=yes")
    assert page.locator("tbody tr").filter(has_text="verified").count() == 5
    assert Record.objects.filter(verified_by=quality_manager).count() == 5
    sigs = Signature.objects.filter(meaning="verified", signer=quality_manager)
    assert sigs.count() == 5 and {s.object_id for s in sigs} == {r.pk for r in records}
    assert all(s.is_valid() for s in sigs)
    page.goto(records[0].get_absolute_url())
    assert "Batch checked against the certificates" in page.content()
