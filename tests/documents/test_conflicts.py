"""Document drafts and signing forms under concurrency (issue 11 items 2-4):
a stale draft save is refused and keeps the typed text; decisions,
acknowledgements and periodic reviews sign only what was shown, once."""

import re

import pytest

from documents import services
from documents.models import Acknowledgement, Decision, PeriodicReview, Revision
from qms.models import Signature
from tests.documents.factories import make_draft, make_effective, submit
from tests.signing import shown, stamp_on

pytestmark = pytest.mark.django_db


def _opened(page) -> str:
    tag = re.search(r'<input[^>]*name="opened"[^>]*>', page.content.decode()).group(0)
    return re.search(r'value="([^"]+)"', tag).group(1)


def _draft_post(page, content, **extra):
    return {"content": content, "change_summary": "First issue", "change_reason": "", "opened": _opened(page), **extra}


def test_a_stale_draft_save_is_refused_and_keeps_the_typed_text(author, client_for):
    rev = make_draft(author).latest_revision
    url = f"/documents/{rev.document.number}/rev/{rev.seq}/edit/"
    c = client_for(author)
    tab1, tab2 = c.get(url), c.get(url)
    r = c.post(url, _draft_post(tab1, "# Purpose\nCalibrate every gauge.\n\nParagraph from tab one."))
    assert r.status_code == 302
    r = c.post(url, _draft_post(tab2, "# Purpose\nCalibrate every gauge.\n\nTab two text."))
    assert r.status_code == 400
    body = r.content.decode()
    assert "changed after you opened it" in body and "Paragraph from tab one" in body  # what changed
    assert "Tab two text." in body  # nothing typed is lost
    rev.refresh_from_db()
    assert "Paragraph from tab one." in rev.content  # the first tab's paragraph did not disappear


def test_the_draft_editor_polls_and_shows_a_banner_when_saved_elsewhere(author, client_for):
    rev = make_draft(author).latest_revision
    url = f"/documents/{rev.document.number}/rev/{rev.seq}/edit/"
    c = client_for(author)
    page = c.get(url)
    poll = re.search(r'hx-get="([^"]+)" hx-trigger="every 15s"', page.content.decode()).group(1).replace("&amp;", "&")
    assert c.get(poll).content.decode().strip() == ""
    c.post(url, _draft_post(c.get(url), "Changed in another tab"))
    assert "Changed elsewhere" in c.get(poll).content.decode()


def _in_review(author, approver):
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver])
    return rev


def test_an_approval_refuses_content_changed_after_the_page_was_opened(author, approver, client_for, password):
    rev = _in_review(author, approver)
    c = client_for(approver)
    page = c.get(rev.get_absolute_url())  # the approver reads the content
    services.revision_withdraw(actor=author, revision=rev, reason="one more line")
    services.revision_update_draft(actor=author, revision=rev, content="# Purpose\nCalibrate gauges monthly.")
    submit(author, Revision.objects.get(pk=rev.pk), [approver])
    r = c.post(f"/documents/{rev.document.number}/rev/{rev.seq}/sign/", {
        "username": "approver", "password": password, "outcome": "approved", "significance": "significant",
        **stamp_on(page)})
    assert r.status_code == 400
    body = r.content.decode()
    assert "nothing was signed" in body and "Calibrate gauges monthly." in body
    assert not Decision.objects.exists() and not Signature.objects.filter(meaning="approved").exists()
    # the page now carries the current content: signing it works
    r = c.post(f"/documents/{rev.document.number}/rev/{rev.seq}/sign/", {
        "username": "approver", "password": password, "outcome": "approved", "significance": "significant",
        **stamp_on(r)})
    assert r.status_code == 302 and Decision.objects.count() == 1


def test_a_double_clicked_approve_signs_once_and_answers_success_twice(author, approver, client_for, password):
    rev = _in_review(author, approver)
    c = client_for(approver)
    data = {"username": "approver", "password": password, "outcome": "approved", "significance": "significant",
            **stamp_on(c.get(rev.get_absolute_url()))}
    url = f"/documents/{rev.document.number}/rev/{rev.seq}/sign/"
    first, second = c.post(url, data), c.post(url, data)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert Decision.objects.count() == 1 and Signature.objects.filter(meaning="approved").count() == 1
    assert "Your signature was recorded." in c.get(second.url).content.decode()


def test_a_double_clicked_reject_signs_once(author, approver, client_for, password):
    rev = _in_review(author, approver)
    c = client_for(approver)
    data = {"username": "approver", "password": password, "outcome": "rejected", "comment": "Step 3 unclear",
            **stamp_on(c.get(rev.get_absolute_url()))}
    url = f"/documents/{rev.document.number}/rev/{rev.seq}/sign/"
    assert c.post(url, data).status_code == 302 and c.post(url, data).status_code == 302
    assert Decision.objects.filter(outcome="rejected").count() == 1


@pytest.fixture
def effective(author, approver, staff):
    from django.contrib.auth.models import Group

    from qms.permissions import Role

    return make_effective(author, approver, distribution_groups=[Group.objects.get(name=Role.STAFF)])


def test_a_double_clicked_acknowledgement_signs_once(effective, staff, client_for, password):
    c = client_for(staff)
    data = {"username": "staff", "password": password, **stamp_on(c.get(effective.get_absolute_url()))}
    url = f"/documents/{effective.number}/acknowledge/"
    first = c.post(url, data, follow=True)
    second = c.post(url, data, follow=True)
    assert "acknowledgement is recorded" in second.content.decode()
    assert "nothing for you to acknowledge" not in second.content.decode()
    assert first.redirect_chain == second.redirect_chain
    assert Signature.objects.filter(meaning="read").count() == 1
    assert Acknowledgement.objects.get(user=staff).acknowledged_at is not None


def test_an_acknowledgement_refuses_a_revision_the_reader_was_not_shown(effective, staff, client_for, password):
    other = make_draft(staff.__class__.objects.get(username="author"), code="SOP", title="Other",
                       content="# Other\nNot this one.").latest_revision
    r = client_for(staff).post(f"/documents/{effective.number}/acknowledge/",
                               {"username": "staff", "password": password, **shown(other)}, follow=True)
    assert "nothing was signed" in r.content.decode()
    assert Acknowledgement.objects.get(user=staff).acknowledged_at is None


def test_a_double_clicked_periodic_review_records_one_review(effective, author, client_for, password):
    c = client_for(author)
    url = f"/documents/{effective.number}/review/"
    data = {"username": "author", "password": password, "outcome": "no_change", **stamp_on(c.get(url))}
    first, second = c.post(url, data), c.post(url, data)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert PeriodicReview.objects.count() == 1 and Signature.objects.filter(meaning="periodic_review").count() == 1


def test_a_periodic_review_refuses_a_stale_page(effective, author, client_for, password):
    other = make_draft(author, title="Other", content="# Other").latest_revision
    r = client_for(author).post(f"/documents/{effective.number}/review/", {
        "username": "author", "password": password, "outcome": "no_change", **shown(other)})
    assert r.status_code == 400 and "nothing was signed" in r.content.decode()
    assert not PeriodicReview.objects.exists()


def test_a_stale_details_edit_is_refused_and_says_what_changed(author, quality_manager, client_for):
    document = make_draft(author)
    url = f"/documents/{document.number}/edit/"
    first, second = client_for(author), client_for(quality_manager)
    page_first, page_second = first.get(url), second.get(url)

    def data(page, **changes):
        return {"title": document.title, "owner": document.owner_id, "review_interval_months": 12,
                "reason": "edit", "opened": _opened(page), **changes}

    assert first.post(url, data(page_first, title="Calibration of gauges and calipers")).status_code == 302
    r = second.post(url, data(page_second, review_interval_months=24))
    body = r.content.decode()
    assert "changed after you opened it" in body and "Calibration of gauges and calipers" in body
    document.refresh_from_db()
    assert document.title == "Calibration of gauges and calipers" and document.review_interval_months != 24
