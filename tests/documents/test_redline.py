"""The redline (issue 18): the compare view shows both revisions' rendered HTML with
insertions and deletions marked word by word, inline or side by side; changed
sections with anchors; changed details; PDF text; who may open it (documents.compare_pair)."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents import selectors, services
from documents.redline import redline
from documents.selectors import RevisionPair, render_markdown
from qms.models import Clause
from qms.permissions import Role
from qms.rules import allowed, message
from tests.documents.factories import approve, make_effective, new_revision, pdf_upload, submit
from tests.factories import PASSWORD, UserFactory

URL = "/documents/{}/compare/"


def _marks(html: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.S)


def _pdf(*lines: str) -> bytes:
    from weasyprint import HTML

    body = "".join(f"<p>{line}</p>" for line in lines)
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf()


# ------------------------------------------------------------------ the diff itself
def test_a_changed_word_is_one_insertion_and_one_deletion_not_the_paragraph():
    old = render_markdown("# Scope\n\nEvery gauge is calibrated once a month by the quality team.\n\nKeep records.")
    new = render_markdown("# Scope\n\nEvery gauge is calibrated once a year by the quality team.\n\nKeep records.")
    rl = redline(old, new)
    html = rl.inline_html
    assert _marks(html, "ins") == ["year"] and _marks(html, "del") == ["month"]
    assert (rl.insertions, rl.deletions) == (1, 1)
    assert "Every gauge is calibrated once a" in html and "by the quality team." in html  # the rest untouched
    assert "<p class=\"rl-block\">Keep records.</p>" in html


def test_words_are_never_split():
    rl = redline(render_markdown("Check the gauge daily."), render_markdown("Check the gauges daily."))
    assert _marks(rl.inline_html, "ins") == ["gauges"] and _marks(rl.inline_html, "del") == ["gauge"]


def test_a_new_paragraph_is_one_insertion_and_the_unchanged_blocks_stay_unmarked():
    old = render_markdown("First.\n\n- one\n- two")
    new = render_markdown("First.\n\nA new paragraph here.\n\n- one\n- three")
    rl = redline(old, new)
    html = rl.inline_html
    assert "<ins><p>A new paragraph here.</p></ins>" in html
    assert "<li>one</li>" in html  # the unchanged item is not re-marked
    assert _marks(html, "del") == ["two"]


def test_side_by_side_shows_the_old_with_deletions_and_the_new_with_insertions():
    rl = redline(render_markdown("The red tag."), render_markdown("The blue tag."))
    (block,) = rl.blocks
    assert "<del>red</del>" in block.old and "blue" not in block.old and "<ins>" not in block.old
    assert "<ins>blue</ins>" in block.new and "red" not in block.new and "<del>" not in block.new


def test_changed_sections_are_named_by_their_heading_with_anchors():
    old = render_markdown("Intro.\n\n# Scope\n\nAll parts.\n\n## Quarantine\n\nIn the cage.\n\n## Release\n\nBy QA.")
    new = render_markdown("Intro now.\n\n# Scope\n\nAll parts.\n\n## Quarantine area\n\nIn the locked cage.\n\n## Release\n\nBy QA.")
    rl = redline(old, new)
    assert [s.title for s in rl.sections] == ["Before the first heading", "Quarantine area"]
    assert rl.sections[1].anchor == "sec-2" and 'id="sec-2"' in rl.inline_html
    assert f'id="{rl.sections[0].anchor}"' in rl.inline_html


def test_a_script_never_survives_into_the_diff():
    old = "Safe text.\n\n<img src=x onerror=alert(1)>"
    new = "Safe text changed. <script>alert('x')</script>\n\n[click](javascript:alert(1)) <a href=\"#\" onclick=\"x()\">a</a>"
    rl = redline(render_markdown(old), render_markdown(new))
    for html in [rl.inline_html] + [b.old for b in rl.blocks] + [b.new for b in rl.blocks]:
        low = html.lower()
        assert "<script" not in low and "onerror" not in low and "onclick" not in low and "javascript:" not in low
    # even raw, unsanitised input comes out clean: the diff goes through the allow-list again
    raw = redline("<p>a</p>", "<p>a <script>alert(1)</script><b onmouseover=x()>b</b> <p id=evil class=x>c</p></p>")
    assert "<script" not in raw.inline_html and "onmouseover" not in raw.inline_html
    assert 'id="evil"' not in raw.inline_html and 'class="x"' not in raw.inline_html


# ------------------------------------------------------------------ who may open it
@pytest.fixture
def distributed_doc(author, approver, staff):
    """An SOP distributed to the Staff group: revision 1 superseded, 2 effective, 3 a draft."""
    doc = make_effective(author, approver, content="# Purpose\n\nCalibrate every gauge monthly.",
                         distribution_groups=[Group.objects.get(name=Role.STAFF)])
    new_revision(author, approver, doc, content="# Purpose\n\nCalibrate every gauge yearly.")
    draft = services.revision_create_new(actor=author, document=doc, change_summary="Draft", change_reason="x")
    doc.refresh_from_db()
    return doc, draft


def _pair(doc, a, b):
    revs = {r.seq: r for r in doc.revisions.all()}
    for r in revs.values():
        r.document = doc
    return RevisionPair(revs[a], revs[b])


@pytest.mark.django_db
def test_rule_staff_compare_released_revisions_of_documents_distributed_to_them(distributed_doc, staff):
    doc, _ = distributed_doc
    assert allowed("documents.compare_revisions", staff, doc)
    assert allowed("documents.compare_pair", staff, _pair(doc, 1, 2))
    assert not allowed("documents.compare_pair", staff, _pair(doc, 2, 3))
    assert message("documents.compare_pair", staff, _pair(doc, 2, 3)) == (
        "Revision 02 is not released: drafts are compared by authors, approvers, the quality manager and auditors.")


@pytest.mark.django_db
def test_rule_staff_off_the_distribution_may_not_compare_superseded(author, approver, staff):
    doc = make_effective(author, approver)
    new_revision(author, approver, doc)
    assert not allowed("documents.compare_revisions", staff, doc)
    assert not allowed("documents.compare_pair", staff, _pair(doc, 1, 2))
    assert "superseded: staff compare earlier revisions only of documents distributed to them" in message(
        "documents.compare_pair", staff, _pair(doc, 1, 2))


@pytest.mark.django_db
def test_rule_readers_of_drafts_compare_anything(distributed_doc, author, approver, quality_manager, auditor,
                                                 external_auditor):
    doc, _ = distributed_doc
    for user in (author, approver, quality_manager, auditor, external_auditor):
        assert allowed("documents.compare_pair", user, _pair(doc, 1, 3)), user


@pytest.mark.django_db
def test_rule_external_auditor_outside_the_grant(distributed_doc, external_auditor):
    doc, _ = distributed_doc
    access = external_auditor.auditor_access
    access.all_scope = False
    access.save()
    access.clauses.set([Clause.objects.get(number="8.5")])
    assert not allowed("documents.compare_pair", external_auditor, _pair(doc, 1, 2))
    assert message("documents.compare_pair", external_auditor, _pair(doc, 1, 2)) == (
        f"{doc.number} is outside the part of the system your audit access covers.")


@pytest.mark.django_db
def test_view_staff_on_the_distribution_open_the_redline(distributed_doc, staff, client_for):
    doc, _ = distributed_doc
    response = client_for(staff).get(URL.format(doc.number), {"a": 1, "b": 2})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<ins>yearly.</ins>" in body and "<del>monthly.</del>" in body
    assert ">02 (Draft)<" not in body  # staff are not offered the draft


@pytest.mark.django_db
def test_view_staff_get_404_for_a_draft_and_403_with_the_reason_off_the_distribution(
        distributed_doc, author, approver, staff, client_for):
    doc, _ = distributed_doc
    c = client_for(staff)
    assert c.get(URL.format(doc.number), {"a": 2, "b": 3}).status_code == 404  # staff never learn a draft exists
    other = make_effective(author, approver, title="Not for staff")
    new_revision(author, approver, other)
    refused = c.get(URL.format(other.number), {"a": 1, "b": 2})
    assert refused.status_code == 403
    assert "the staff a document is distributed to" in refused.content.decode()


@pytest.mark.django_db
def test_view_external_auditor_outside_the_grant_is_refused(distributed_doc, external_auditor, client_for):
    doc, _ = distributed_doc
    access = external_auditor.auditor_access
    access.all_scope = False
    access.save()
    access.clauses.set([Clause.objects.get(number="8.5")])
    assert client_for(external_auditor).get(URL.format(doc.number), {"a": 1, "b": 2}).status_code in (403, 404)


@pytest.mark.django_db
def test_view_inline_and_side_by_side_sections_and_details(author, approver, quality_manager, client_for):
    doc = make_effective(author, approver, title="Gauges", content="# Scope\n\nAll gauges.\n\n# Method\n\nUse the red tag.",
                         clauses=[Clause.objects.get(number="7.1.5")])
    services.document_update(actor=quality_manager, document=doc, reason="Retitled", title="Gauges and meters",
                             clauses=[Clause.objects.get(number="7.1.5"), Clause.objects.get(number="8.5")])
    new_revision(author, approver, doc, content="# Scope\n\nAll gauges.\n\n# Method\n\nUse the blue tag.")
    c = client_for(quality_manager)
    body = c.get(URL.format(doc.number), {"a": 1, "b": 2}).content.decode()
    assert '<ins>blue</ins>' in body and '<del>red</del>' in body
    sections = body.split('id="changed-sections"', 1)[1].split("</ol>", 1)[0]
    assert 'href="#sec-2"' in sections and ">Method<" in sections and "Scope" not in sections
    details = body.split('id="changed-details"', 1)[1].split("</table>", 1)[0]
    assert "<del>Gauges</del>" in details and "<ins>Gauges and meters</ins>" in details
    assert "<ins>7.1.5, 8.5</ins>" in details
    assert "Review period" not in details  # unchanged details stay out of the small table
    side = c.get(URL.format(doc.number), {"a": 1, "b": 2, "mode": "side"}).content.decode()
    assert 'class="table table-sm redline-side"' in side
    assert "<del>red</del>" in side and "<ins>blue</ins>" in side


@pytest.mark.django_db
def test_view_bad_parameters_are_404(distributed_doc, quality_manager, client_for):
    doc, _ = distributed_doc
    c = client_for(quality_manager)
    assert c.get(URL.format(doc.number), {"a": 1, "b": 99}).status_code == 404
    assert c.get(URL.format(doc.number), {"a": "x"}).status_code == 404
    assert c.get(URL.format(doc.number), {"a": 10**30}).status_code == 404
    assert c.get(URL.format(doc.number), {"b": -1}).status_code == 404
    assert c.get(URL.format(doc.number), {"a": 1, "b": 2, "mode": "<script>"}).status_code == 200


@pytest.mark.django_db
def test_view_a_script_in_a_revision_never_reaches_the_page(author, approver, quality_manager, client_for):
    doc = make_effective(author, approver, content="Hello.")
    new_revision(author, approver, doc, content="Hello <script>alert('redline')</script> world. <img src=x onerror=alert(2)>")
    for mode in ("inline", "side"):
        body = client_for(quality_manager).get(URL.format(doc.number), {"a": 1, "b": 2, "mode": mode}).content.decode()
        assert "alert('redline')" not in body and "onerror" not in body


@pytest.mark.django_db
def test_uploaded_pdfs_are_compared_by_their_text(author, approver, quality_manager, client_for):
    doc = make_effective(author, approver, content="", pdf=pdf_upload(body=_pdf("Torque to 12 Nm.", "Inspect daily.")))
    rev = services.revision_create_new(actor=author, document=doc, change_summary="Torque", change_reason="NC-4")
    services.revision_update_draft(actor=author, revision=rev, content="",
                                   pdf=pdf_upload(body=_pdf("Torque to 14 Nm.", "Inspect daily.")))
    submit(author, rev, [approver])
    approve(approver, rev)
    body = client_for(quality_manager).get(URL.format(doc.number), {"a": 1, "b": 2}).content.decode()
    assert "Text of the PDF" in body
    assert "<ins>14</ins>" in body and "<del>12</del>" in body
    assert ">Page 1<" in body


# ------------------------------------------------------------------ from the read task
@pytest.fixture
def read_again(author, approver, staff):
    """Staff acknowledged revision 1; revision 2 is effective and asks them to read it again."""
    doc = make_effective(author, approver, content="# Purpose\n\nCalibrate every gauge monthly.",
                         distribution_users=[staff])
    services.acknowledge(actor=staff, document=doc, password=PASSWORD)
    rev2 = new_revision(author, approver, doc, content="# Purpose\n\nCalibrate every gauge yearly.")
    rev3 = new_revision(author, approver, doc, content="# Purpose\n\nCalibrate every gauge yearly, by QA.")
    doc.refresh_from_db()
    return doc, rev2, rev3


@pytest.mark.django_db
def test_read_task_opens_the_changes_since_the_revision_i_acknowledged(read_again, staff, client_for):
    from documents.dashboard import sections

    doc, _, rev3 = read_again
    (task,) = [s for s in sections(staff) if s.key == "documents.to_read"][0].items
    assert task.url == f"/documents/{doc.number}/compare/?since=acknowledged&b={rev3.seq}"
    c = client_for(staff)
    assert f"?since=acknowledged&amp;b={rev3.seq}" in c.get("/documents/acknowledgements/").content.decode()
    body = c.get(task.url).content.decode()
    assert "the one you last acknowledged" in body
    assert "<del>monthly.</del>" in body  # from revision 1 (acknowledged), not 2
    assert "Sign: Read and understood" in body


@pytest.mark.django_db
def test_first_read_links_to_the_document(author, approver, client_for):
    from documents.dashboard import sections

    reader = UserFactory(username="newcomer", roles=[Role.STAFF])
    doc = make_effective(author, approver, distribution_users=[reader])
    (task,) = [s for s in sections(reader) if s.key == "documents.to_read"][0].items
    assert task.url == f"/documents/{doc.number}/"


# ------------------------------------------------------------------ queries
def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_queries_do_not_grow_with_revision_size_or_sections(author, approver, quality_manager, client_for):
    small = make_effective(author, approver, content="# A\n\nOne line.")
    new_revision(author, approver, small, content="# A\n\nOne line changed.")
    big_old = "\n\n".join(f"## Section {i}\n\nParagraph {i} with several words in it." for i in range(150))
    big_new = "\n\n".join(f"## Section {i}\n\nParagraph {i} with {'many' if i % 3 else 'several'} words in it."
                          for i in range(150))
    big = make_effective(author, approver, title="Big", content=big_old)
    new_revision(author, approver, big, content=big_new)
    c = client_for(quality_manager)
    c.get(URL.format(small.number), {"a": 1, "b": 2})  # warm the session and caches
    n_small = _queries(c, URL.format(small.number), {"a": 1, "b": 2})
    n_big = _queries(c, URL.format(big.number), {"a": 1, "b": 2})
    assert n_big == n_small
    body = c.get(URL.format(big.number), {"a": 1, "b": 2}).content.decode()
    assert body.count('<li><a href="#sec-') == 100  # every section with a change is listed


@pytest.mark.django_db
def test_selectors_comparable_revisions(distributed_doc, staff, author):
    doc, _ = distributed_doc
    assert [r.seq for r in selectors.comparable_revisions(staff, doc)] == [1, 2]
    assert [r.seq for r in selectors.comparable_revisions(author, doc)] == [1, 2, 3]
