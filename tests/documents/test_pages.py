"""Document page, revision page, compare and history."""

import pytest

from documents import selectors, services
from qms.models import Clause
from tests.documents.factories import make_draft, make_effective, new_revision, submit


@pytest.mark.django_db
def test_document_page_shows_effective_revision_metadata_revisions_signatures_and_clauses(
    author, approver, quality_manager, staff, client_for
):
    doc = make_effective(author, approver, title="Control of nonconforming output",
                         content="# Scope\nAll **nonconforming** parts are tagged red.",
                         clauses=[Clause.objects.get(number="8.7")])
    rev2 = services.revision_create_new(actor=author, document=doc, change_summary="Add quarantine",
                                        change_reason="CAPA-7")
    services.revision_update_draft(actor=author, revision=rev2, content="# Scope\nDraft text only for authors.")
    body = client_for(staff).get(doc.get_absolute_url()).content.decode()
    assert "<strong>nonconforming</strong>" in body  # the effective revision, rendered
    assert "Draft text only for authors" not in body
    assert "Priya Shah" in body and "Approved" in body  # the approver's signature
    assert 'href="/clauses/8.7/"' in body
    assert "Alex Turner" in body  # owner
    assert ">01<" not in body  # staff do not see the draft in the revision list
    qm_body = client_for(quality_manager).get(doc.get_absolute_url()).content.decode()
    assert ">01<" in qm_body and "Add quarantine" in qm_body
    assert f"/documents/{doc.number}/trail/" in qm_body  # history loads with htmx


@pytest.mark.django_db
def test_history_panel_lists_transitions_with_user_and_reason(author, approver, quality_manager, client_for):
    doc = make_effective(author, approver)
    new_revision(author, approver, doc)
    body = client_for(quality_manager).get(f"/documents/{doc.number}/trail/").content.decode()
    assert "Revision submitted for review and approval" in body
    assert "Revision became effective" in body
    assert "Revision superseded" in body
    assert "Why: Audit finding 12" in body  # the reason of the new revision
    assert "Priya Shah" in body


@pytest.mark.django_db
def test_compare_side_by_side_and_inline(author, approver, quality_manager, client_for):
    doc = make_effective(author, approver, content="line one\n\nline two & more\n\nline three")
    new_revision(author, approver, doc, content="line one\n\nline 2 & more\n\nline three\n\nline four")
    c = client_for(quality_manager)
    side = c.get(f"/documents/{doc.number}/compare/", {"a": 1, "b": 2, "mode": "side"}).content.decode()
    assert "redline-side" in side and "<ins><p>line four</p></ins>" in side
    assert "Yearly interval" in side  # metadata: change summary of rev 2
    inline = c.get(f"/documents/{doc.number}/compare/", {"a": 1, "b": 2}).content.decode()
    assert "<ins>2</ins>" in inline and "<del>two</del>" in inline  # the rendered text, word by word
    assert "&amp; more" in inline  # the text is escaped


@pytest.mark.django_db
def test_compare_with_unknown_revision_is_404(author, approver, quality_manager, client_for):
    doc = make_effective(author, approver)
    new_revision(author, approver, doc)
    assert client_for(quality_manager).get(f"/documents/{doc.number}/compare/", {"a": 1, "b": 99}).status_code == 404
    assert client_for(quality_manager).get(f"/documents/{doc.number}/compare/", {"a": "x"}).status_code == 404


@pytest.mark.django_db
def test_documents_for_user(author, approver, staff, quality_manager, outsider):
    eff = make_effective(author, approver)
    draft = make_draft(author)
    assert set(selectors.documents_for_user(staff)) == {eff}
    assert set(selectors.documents_for_user(quality_manager)) == {eff, draft}
    assert not selectors.documents_for_user(outsider).exists()


@pytest.mark.django_db
def test_edit_details_with_reason_is_history_tracked(author, approver, client_for):
    doc = make_effective(author, approver)
    r = client_for(author).post(f"/documents/{doc.number}/edit/", {
        "title": "Calibration of gauges and calipers", "owner": author.pk, "review_interval_months": 12,
        "reason": "Scope widened"})
    assert r.status_code == 302
    doc.refresh_from_db()
    assert doc.title == "Calibration of gauges and calipers"
    assert doc.next_review_date == services.add_months(doc.effective_revision.effective_date, 12)
    assert doc.history.filter(history_change_reason="Scope widened", history_user=author).exists()


@pytest.mark.django_db
def test_revision_page_shows_the_decision_form_only_to_the_current_signer(author, approver, staff, client_for):
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver], reviewers=[staff])
    url = rev.get_absolute_url()
    assert "Decision on this revision" in client_for(staff).get(url).content.decode()
    assert "Decision on this revision" not in client_for(approver).get(url).content.decode()
    assert "Add a signer" in client_for(author).get(url).content.decode()


@pytest.mark.django_db
def test_document_page_query_count_does_not_grow(author, approver, quality_manager, client_for,
                                                 django_assert_max_num_queries):
    from django.contrib.auth.models import Group

    doc = make_effective(author, approver, distribution_groups=[Group.objects.get(name="Staff")])
    c = client_for(quality_manager)
    c.get(doc.get_absolute_url())
    with django_assert_max_num_queries(20) as ctx:
        c.get(doc.get_absolute_url())
    first = len(ctx.captured_queries)
    for _ in range(4):
        new_revision(author, approver, doc)
    with django_assert_max_num_queries(first):
        r = c.get(doc.get_absolute_url())
    assert len(r.context["revisions"]) == 5


@pytest.mark.django_db
def test_revision_history_shows_author_approver_dates_and_reason(author, approver, auditor, client_for):
    doc = make_effective(author, approver)
    new_revision(author, approver, doc)
    page = client_for(auditor).get(doc.get_absolute_url())
    revisions = page.context["revisions"]
    assert [r.label for r in revisions] == ["01", "00"]
    assert all(r.approved_by == ["Priya Shah"] for r in revisions)
    body = page.content.decode()
    assert "Audit finding 12" in body and "Yearly interval" in body
