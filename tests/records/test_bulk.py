"""Bulk actions on the records register (issue 18): verify with one signature,
legal hold on and off, export of the selection; bad selections change nothing."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qms import bulk
from qms.models import AuditEvent, Signature
from qms.signatures import BulkSignatureForm, content_hash
from records import services
from records.models import Record
from tests.records.factories import make_record

pytestmark = pytest.mark.django_db

STAMP_RE = re.compile(r'name="shown" value="([^"]+)"')


@pytest.fixture
def records(staff, cal_type):
    return [make_record(staff, cal_type) for _ in range(5)]


def _ids(objs):
    return [str(o.pk) for o in objs]


def _signing_page(client, objs):
    page = client.get("/records/bulk/", {"action": "verify", "ids": _ids(objs)})
    assert page.status_code == 200, page.content
    return page


def _sign(client, page, user, password, **extra):
    stamp = STAMP_RE.search(page.content.decode()).group(1)
    return client.post("/records/bulk/verify/", {"shown": stamp, "username": user.username, "password": password,
                                                 **extra})


# ------------------------------------------------------------------ verify
def test_one_signature_verifies_every_listed_record_each_with_its_own_signature_and_hash(
        client_for, quality_manager, records, password):
    client = client_for(quality_manager)
    page = _signing_page(client, records)
    html = page.content.decode()
    for r in records:  # nothing signed unseen: every record and the hash its signature will hold
        assert r.number in html and content_hash(r.signature_content()) in html
    response = _sign(client, page, quality_manager, password, comment="Checked the batch")
    assert response.status_code == 200
    assert response.content.decode().count('data-bulk-result="done"') == 5
    sigs = Signature.objects.filter(meaning="verified", signer=quality_manager)
    assert sigs.count() == 5
    assert {s.object_id for s in sigs} == {r.pk for r in records}
    for r in records:
        r.refresh_from_db()
        assert r.verified_by == quality_manager
        assert sigs.get(object_id=r.pk).content_hash == content_hash(r.signature_content())
        assert sigs.get(object_id=r.pk).is_valid()
    assert AuditEvent.objects.filter(verb="record.verified").count() == 5
    assert sigs.exclude(form_token=None).count() == 1  # the page's one-time token went with one of them


def test_a_wrong_password_signs_nothing(client_for, quality_manager, records):
    client = client_for(quality_manager)
    page = _signing_page(client, records)
    response = _sign(client, page, quality_manager, "wrong")
    assert response.status_code == 403 and "password is not correct" in response.content.decode()
    assert not Signature.objects.exists()
    assert not Record.objects.filter(verified_at__isnull=False).exists()
    assert AuditEvent.objects.filter(verb="signature.refused").count() == 1  # one attempt, recorded once


def test_the_same_signing_page_posted_twice_signs_once(client_for, quality_manager, records, password):
    client = client_for(quality_manager)
    page = _signing_page(client, records)
    _sign(client, page, quality_manager, password)
    again = _sign(client, page, quality_manager, password)
    assert again.status_code == 302
    assert Signature.objects.count() == 5


def test_rows_the_user_may_not_verify_are_refused_with_the_rule_and_the_others_signed(
        client_for, approver, staff, cal_type, password):
    mine = make_record(approver, cal_type)  # the approver submitted it: a second person must verify
    others = [make_record(staff, cal_type) for _ in range(2)]
    client = client_for(approver)
    page = _signing_page(client, [mine, *others])
    html = page.content.decode()
    assert "You cannot verify records." in html and content_hash(mine.signature_content()) not in html
    response = _sign(client, page, approver, password)
    assert response.content.decode().count('data-bulk-result="done"') == 2
    assert Signature.objects.filter(object_id=mine.pk).count() == 0
    assert Signature.objects.filter(object_id__in=[o.pk for o in others]).count() == 2


def test_a_record_changed_after_the_page_was_shown_is_refused_alone(client_for, quality_manager, staff, records,
                                                                      password):
    client = client_for(quality_manager)
    page = _signing_page(client, records)
    services.record_amend(actor=staff, record=records[0], values={**records[0].values, "notes": "changed"},
                          reason="typo")
    response = _sign(client, page, quality_manager, password)
    html = response.content.decode()
    assert html.count('data-bulk-result="done"') == 4 and "changed after you opened it" in html
    assert not Signature.objects.filter(object_id=records[0].pk).exists()


def test_the_signing_page_stamp_names_the_records_posted_ids_are_ignored(client_for, quality_manager, staff,
                                                                           cal_type, records, password):
    client = client_for(quality_manager)
    page = _signing_page(client, records[:2])
    _sign(client, page, quality_manager, password, ids=_ids(records[2:]))
    assert set(Signature.objects.values_list("object_id", flat=True)) == {r.pk for r in records[:2]}


def test_a_damaged_stamp_is_refused_and_signs_nothing(client_for, quality_manager, records, password):
    response = client_for(quality_manager).post("/records/bulk/verify/", {
        "shown": "x" * 40, "username": quality_manager.username, "password": password})
    assert response.status_code == 400
    assert not Signature.objects.exists()


# ------------------------------------------------------------------ bad selections
@pytest.mark.parametrize("ids", [[], ["abc"], ["999999"], ["-1"], ["1 OR 1=1"]])
def test_bad_selections_are_refused_with_a_message(client_for, quality_manager, records, ids):
    response = client_for(quality_manager).get("/records/bulk/", {"action": "hold", "ids": ids})
    assert response.status_code == 400 and "Nothing was done" in response.content.decode()


def test_more_than_the_limit_is_refused(client_for, quality_manager, records):
    ids = [str(i) for i in range(1, bulk.MAX_IDS + 2)]
    response = client_for(quality_manager).get("/records/bulk/", {"action": "csv", "ids": ids})
    assert response.status_code == 400 and "At most 500" in response.content.decode()


def test_an_unknown_action_is_refused(client_for, quality_manager, records):
    response = client_for(quality_manager).get("/records/bulk/", {"action": "delete", "ids": _ids(records)})
    assert response.status_code == 400


def test_ids_outside_what_the_user_may_read_refuse_the_whole_selection(client_for, staff, quality_manager,
                                                                         cal_type, password):
    own = make_record(staff, cal_type)
    foreign = make_record(quality_manager, cal_type, submit=False)  # a draft of someone else: staff cannot read it
    response = client_for(staff).get("/records/bulk/", {"action": "csv", "ids": [own.pk, foreign.pk]})
    assert response.status_code == 400 and "1 of the 2" in response.content.decode()


def test_staff_cannot_bulk_hold(client_for, staff, records):
    response = client_for(staff).post("/records/bulk/hold/", {"ids": _ids(records), "legal_hold": "on",
                                                              "reason": "x"})
    assert response.status_code == 403
    assert not Record.objects.filter(legal_hold=True).exists()


# ------------------------------------------------------------------ legal hold
def test_bulk_hold_and_release_report_each_row(client_for, quality_manager, records):
    client = client_for(quality_manager)
    services.record_set_legal_hold(actor=quality_manager, record=records[0], hold=True, reason="earlier")
    page = client.get("/records/bulk/", {"action": "hold", "ids": _ids(records)})
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    response = client.post("/records/bulk/hold/", {"ids": _ids(records), "legal_hold": "on", "reason": "Claim 42"})
    html = response.content.decode()
    assert html.count('data-bulk-result="done"') == 4 and "already on" in html
    assert Record.objects.filter(legal_hold=True).count() == 5
    assert AuditEvent.objects.filter(verb="record.legal_hold_on", comment="Claim 42").count() == 4
    client.post("/records/bulk/hold/", {"ids": _ids(records[:3]), "legal_hold": "off", "reason": "Settled"})
    assert Record.objects.filter(legal_hold=True).count() == 2


def test_bulk_hold_without_a_reason_changes_nothing(client_for, quality_manager, records):
    response = client_for(quality_manager).post("/records/bulk/hold/", {"ids": _ids(records), "legal_hold": "on",
                                                                        "reason": ""})
    assert response.status_code == 400 and "needs a reason" in response.content.decode()
    assert not Record.objects.filter(legal_hold=True).exists()


def test_records_set_legal_hold_service_refuses_a_disposed_record_alone(quality_manager, records):
    results = services.records_set_legal_hold(actor=quality_manager, records=records, hold=True, reason="r")
    assert all(r.done for r in results)
    results = services.records_set_legal_hold(actor=quality_manager, records=records, hold=True, reason="r")
    assert not any(r.done for r in results) and results[0].message == "The legal hold is already on."


def test_records_verify_service_signs_nothing_outside_the_listed_rows(quality_manager, records, password):
    items = {str(r.pk): r for r in records[:2]}
    form = BulkSignatureForm(user=quality_manager, items=items)
    posted = BulkSignatureForm({"shown": form.initial["shown"].dumps(), "username": quality_manager.username,
                                "password": password}, user=quality_manager)
    assert posted.is_valid(), posted.errors
    with posted.signing():
        results = services.records_verify(actor=quality_manager, records=records[:3], form=posted)
    assert [r.done for r in results] == [True, True, False]
    assert "not on the signing page" in results[2].message


# ------------------------------------------------------------------ export
def test_export_of_the_selection_has_only_the_selected_rows(client_for, quality_manager, records):
    response = client_for(quality_manager).get("/records/bulk/", {"action": "csv", "ids": _ids(records[:2])})
    assert response.status_code == 200 and "records-selected" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [r.number for r in records[:2]]
    xlsx = client_for(quality_manager).get("/records/bulk/", {"action": "xlsx", "ids": _ids(records[:2])})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


# ------------------------------------------------------------------ register and query counts
def test_the_register_offers_checkboxes_and_the_bulk_bar(client_for, quality_manager, records):
    html = client_for(quality_manager).get("/records/").content.decode()
    assert 'form="bulk-records"' in html and 'value="verify"' in html and 'value="hold"' in html
    assert "js/bulk.js" in html


def test_staff_register_offers_export_only(client_for, staff, records):
    html = client_for(staff).get("/records/").content.decode()
    assert 'value="csv"' in html and 'value="verify"' not in html and 'value="hold"' not in html


def _count(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_bulk_pages_read_in_a_constant_number_of_queries(client_for, quality_manager, staff, cal_type):
    few = [make_record(staff, cal_type) for _ in range(2)]
    many = few + [make_record(staff, cal_type) for _ in range(8)]
    client = client_for(quality_manager)
    client.get("/records/bulk/", {"action": "verify", "ids": _ids(few)})  # warm the session and caches
    for action in ("verify", "hold", "csv"):
        small = _count(lambda a=action: client.get("/records/bulk/", {"action": a, "ids": _ids(few)}))
        large = _count(lambda a=action: client.get("/records/bulk/", {"action": a, "ids": _ids(many)}))
        assert large == small, action


def test_bulk_verification_costs_a_fixed_number_of_queries_per_record(client_for, quality_manager, staff, cal_type,
                                                                        password):
    """Each record goes through record_verify (its lock, signature, history and
    events): a fixed cost per row, nothing that grows with the selection."""
    client = client_for(quality_manager)
    batches = [[make_record(staff, cal_type) for _ in range(n)] for n in (2, 4, 8)]
    costs = [_count(lambda b=b: _sign(client, _signing_page(client, b), quality_manager, password)) for b in batches]
    # about the same cost for each added record (the first batch also warms caches)
    assert (costs[1] - costs[0]) / 2 <= 16 and (costs[2] - costs[1]) / 4 <= 16


def test_an_enrolled_signer_gives_the_code_once_for_the_whole_batch(client_for, approver, records, password,
                                                                     settings):
    from tests.qms.test_mfa import code_for, enrol

    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device, _ = enrol(approver)
    client = client_for(approver)
    page = _signing_page(client, records)
    assert "Code from your authenticator app" in page.content.decode()
    wrong = _sign(client, page, approver, password, otp_code="000001")
    assert wrong.status_code == 403 and not Signature.objects.exists()
    page = _signing_page(client, records)
    response = _sign(client, page, approver, password, otp_code=code_for(device, 1))
    assert response.content.decode().count('data-bulk-result="done"') == 5
    assert set(Signature.objects.values_list("method", flat=True)) == {"password+totp"}
    assert Signature.objects.count() == 5
