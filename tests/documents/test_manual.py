"""The compiled quality manual: grouping and order, contents page numbers,
rebuild renders only what changed, builds kept and downloadable, access."""

import hashlib
from datetime import date

import pytest
from django.core.files.storage import default_storage

from documents import manual, renditions
from documents.models import ManualBuild, Revision
from qms import pdf
from qms.errors import PermissionRefused
from qms.models import AuditEvent, Job
from tests import pdf_helpers as h

S = Revision.Status


@pytest.fixture
def library(author):
    """Effective documents of three types (the manual orders QM, POL, SOP),
    some long, plus a draft-only and a superseded revision that must stay out."""
    docs = {}
    spec = [
        ("SOP-QA-002", "Internal audit", "SOP", 30, 120),
        ("QM-QA-001", "Quality manual core", "QM", 10, 10),
        ("SOP-QA-001", "Document control", "SOP", 30, 40),
        ("POL-QA-001", "Quality policy", "POL", 20, 5),
    ]
    for number, title, code, order, length in spec:
        doc = h.document(owner=author, number=number, title=title, type_code=code, manual_order=order)
        docs[number] = h.revision(doc, content=h.long_markdown(length))
    old = h.document(owner=author, number="SOP-QA-003", title="Purchasing", manual_order=30)
    h.revision(old, seq=1, status=S.SUPERSEDED)
    docs["SOP-QA-003"] = h.revision(old, seq=2, label="01", status=S.EFFECTIVE)
    draft_only = h.document(owner=author, number="WI-QA-009", title="Draft instruction", type_code="WI")
    h.revision(draft_only, status=S.DRAFT)
    return docs


def _build(user, capture) -> tuple[ManualBuild, Job]:
    with capture(execute=True):
        job = manual.request_manual_build(actor=user)
    job.refresh_from_db()
    assert job.status == Job.Status.READY, job.error
    return ManualBuild.objects.get(file=job.file.name), job


def _read(build) -> bytes:
    with default_storage.open(build.file.name, "rb") as fh:
        return fh.read()


@pytest.mark.django_db
def test_manual_groups_by_type_order_and_contents_page_numbers_match(
    library, quality_manager, django_capture_on_commit_callbacks
):
    build, job = _build(quality_manager, django_capture_on_commit_callbacks)
    numbers = [e["number"] for e in build.contents]
    assert numbers == ["QM-QA-001", "POL-QA-001", "SOP-QA-001", "SOP-QA-002", "SOP-QA-003"]
    assert "WI-QA-009" not in numbers  # drafts never enter the manual
    assert set(build.revisions.values_list("pk", flat=True)) == {r.pk for r in library.values()}
    assert [e["label"] for e in build.contents if e["number"] == "SOP-QA-003"] == ["01"]

    content = _read(build)
    pages = pdf.extract_text(content)
    assert build.page_count == len(pages) == build.contents[-1]["start_page"] + build.contents[-1]["pages"] - 1
    assert "Quality Manual" in pages[0] and "Manual revision 1" in pages[0] and "Acme Precision Ltd" in pages[0]
    contents_text = "\n".join(pages[1 : build.contents[0]["start_page"] - 1])
    for entry in build.contents:
        start = entry["start_page"]
        # The contents line names the document and the page it starts on...
        line = next(ln for ln in contents_text.splitlines() if ln.startswith(entry["number"]))
        assert line.split()[-1] == str(start), line
        # ...and that page is the document's first page.
        assert entry["number"] in pages[start - 1] and f"Page 1 of {entry['pages']}" in pages[start - 1]
    # The long SOP spans several pages, so the later start pages really were computed.
    assert max(e["pages"] for e in build.contents) >= 4
    assert build.sha256 == hashlib.sha256(content).hexdigest() == job.sha256
    # Bookmarks lead to each document's first page.
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(content))
    marks = {item.title.split()[0]: reader.get_destination_page_number(item) + 1 for item in reader.outline}
    assert all(marks[e["number"]] == e["start_page"] for e in build.contents)


@pytest.mark.django_db
def test_rebuild_after_one_change_re_renders_exactly_one_revision(
    library, author, quality_manager, django_capture_on_commit_callbacks
):
    first, _ = _build(quality_manager, django_capture_on_commit_callbacks)
    assert first.renders == 5
    # One document changes: a new revision takes effect, the old is superseded.
    old = library["SOP-QA-001"]
    old.status = S.SUPERSEDED
    old.save()
    new = h.revision(old.document, seq=2, label="01", status=S.EFFECTIVE, effective_date=date(2026, 6, 1),
                     content=h.long_markdown(45))
    before = renditions.RENDERS["count"]
    second, _ = _build(quality_manager, django_capture_on_commit_callbacks)
    assert renditions.RENDERS["count"] - before == 1
    assert second.renders == 1 and second.manual_revision == first.manual_revision + 1
    assert new.pk in set(second.revisions.values_list("pk", flat=True))
    assert old.pk not in set(second.revisions.values_list("pk", flat=True))
    # Both builds stay, each with its own file and checksum.
    assert first.sha256 != second.sha256
    assert hashlib.sha256(_read(first)).hexdigest() == first.sha256


@pytest.mark.django_db
def test_only_the_quality_manager_builds_the_manual(staff, auditor):
    for user in (staff, auditor):
        with pytest.raises(PermissionRefused):
            manual.request_manual_build(actor=user)
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_manual_pages_access_matrix(library, quality_manager, auditor, staff, external_auditor, client_for,
                                   django_capture_on_commit_callbacks):
    assert client_for(staff).get("/documents/manual/").status_code == 403
    assert client_for(staff).post("/documents/manual/build/").status_code == 403
    assert client_for(auditor).post("/documents/manual/build/").status_code == 403
    assert client_for(external_auditor).post("/documents/manual/build/").status_code == 403
    page = client_for(auditor).get("/documents/manual/")
    assert page.status_code == 200 and "Build the quality manual now" not in page.content.decode()
    page = client_for(quality_manager).get("/documents/manual/")
    assert "Build the quality manual now" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(quality_manager).post("/documents/manual/build/")
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    assert AuditEvent.objects.filter(verb="manual.build_requested", actor=quality_manager).count() == 1
    build = ManualBuild.objects.get()
    assert "quality-manual-rev-1.pdf" not in client_for(staff).get("/documents/manual/").content.decode()
    download = client_for(auditor).get("/documents/manual/1/download/")
    assert download.status_code == 200
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == build.sha256
    assert client_for(staff).get("/documents/manual/1/download/").status_code == 403
    assert client_for(auditor).get("/documents/manual/99/download/").status_code == 404


@pytest.mark.django_db
def test_manual_list_queries_do_not_grow_with_builds(quality_manager, client_for, django_assert_max_num_queries):
    def add(n):
        start = ManualBuild.objects.count()
        for i in range(n):
            ManualBuild.objects.create(manual_revision=start + i + 1, file=f"manual/x{start + i}.pdf", sha256="0" * 64,
                                       size=1, page_count=1, built_by=quality_manager)

    client = client_for(quality_manager)
    add(3)
    with django_assert_max_num_queries(12) as ctx:
        assert client.get("/documents/manual/").status_code == 200
    few = len(ctx.captured_queries)
    add(15)
    with django_assert_max_num_queries(few):
        assert client.get("/documents/manual/").status_code == 200


@pytest.mark.django_db
def test_rebuild_with_everything_stored_runs_a_fixed_number_of_queries(author):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        for _ in range(n):
            h.revision(h.document(owner=author), content="Short.")

    def rebuild_queries():
        manual.build_manual(actor=author)  # renders what is new
        with CaptureQueriesContext(connection) as ctx:
            assert manual.build_manual(actor=author).renders == 0
        return len(ctx.captured_queries)

    add(2)
    few = rebuild_queries()
    add(6)
    assert rebuild_queries() == few


@pytest.mark.django_db
def test_a_manual_built_in_the_requesters_thread_is_in_the_sites_language(
    library, quality_manager, django_capture_on_commit_callbacks
):
    """With no broker the job runs in the request's thread, where the requester's
    language is active: the stored manual is the same as a worker would make."""
    from django.utils import translation

    with translation.override("de"):
        build, _ = _build(quality_manager, django_capture_on_commit_callbacks)
    front = pdf.extract_text(_read(build))[0]
    assert "Quality Manual" in front and "Qualitätsmanagementhandbuch" not in front
