"""Browser: an invited external auditor logs in, opens a clause, follows it to a
record and its evidence file, and raises an evidence request that the quality
manager answers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from auditor import services as auditor_services
from qms.models import Clause
from tests.factories import PASSWORD
from tests.records.factories import make_record, make_type, pdf_upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invited_auditor_follows_a_clause_to_evidence_and_gets_an_answer(browser, live_server, quality_manager, staff):
    clause = Clause.objects.get(number="7.1.5.1")
    cal = make_type("CAL", verification_required=False, name="Calibration record")
    cal.clauses.set([clause])
    record = make_record(staff, cal, evidence=[pdf_upload("cert-G17.pdf")])
    access, _link = auditor_services.invite_external_auditor(
        actor=quality_manager, full_name="Erik Berg", email="erik@certbody.example", organisation="CertBody AB",
        audit_reference="Stage 2", valid_from=timezone.now() - timedelta(hours=1),
        valid_until=timezone.now() + timedelta(days=1), all_scope=False, clauses=[Clause.objects.get(number="7.1.5")],
    )
    access.user.set_password(PASSWORD)  # as the one-time link would (tested in tests/auditor)
    access.user.save()

    def login(context, username):
        pg = context.new_page()
        pg.set_default_timeout(15000)
        pg.goto("/accounts/login/")
        pg.get_by_label("User name").fill(username)
        pg.get_by_label("Password").fill(PASSWORD)
        pg.get_by_role("button", name="Log in").click()
        pg.wait_for_url(lambda url: "/accounts/login/" not in url)
        return pg

    auditor_ctx = browser.new_context(base_url=live_server.url, accept_downloads=True)
    page = login(auditor_ctx, "erik@certbody.example")
    page.get_by_role("link", name="Clauses").click()
    page.get_by_role("link", name="7.1.5.1", exact=True).click()
    page.get_by_role("link", name="CAL – Calibration record").click()
    page.get_by_role("link", name=record.number).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="cert-G17.pdf").click()
    assert download.value.suggested_filename == "cert-G17.pdf"

    page.get_by_role("link", name="Request evidence").click()
    page.get_by_label("What do you need?").fill("Calibration certificate of gauge G-17 for March")
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url("**/auditor/requests/*/")
    request_url = page.url

    qm_ctx = browser.new_context(base_url=live_server.url)
    qm = login(qm_ctx, quality_manager.username)
    qm.get_by_role("button", name="Certification").click()
    qm.get_by_role("link", name="Evidence requests").click()
    qm.get_by_role("link", name="Calibration certificate of gauge G-17").click()
    qm.get_by_label("Answer").fill("Certificate attached to the record.")
    qm.get_by_label("References").fill(record.number)
    qm.get_by_role("button", name="Send answer").click()
    qm.get_by_text("Answer sent to the auditor.").wait_for()

    page.goto(request_url)
    assert page.get_by_text("Certificate attached to the record.").is_visible()
    page.get_by_role("link", name=f"Record {record.number} (Calibration record)").click()
    page.wait_for_url(f"**/records/{record.number}/")
    auditor_ctx.close()
    qm_ctx.close()
