"""Browser: the tasks the guides in docs/ describe, done as the guides say,
with the screenshots the guides show.

The quality manager sets the system up (a document type, an approval route, a
record type and its form, the audit programme, an audit, a CAPA, an external
auditor's access); the auditors use it (the as-of view, an evidence request,
an evidence pack, built, downloaded and verified). Each step asserts what the
page shows. Screenshots go to a temporary folder, or, with
QMS_DOCS_SCREENSHOTS=1, to docs/img/ (palette PNGs at 1280x800, so the
committed set stays small):

    QMS_DOCS_SCREENSHOTS=1 .venv/bin/pytest -n 0 tests/e2e/test_docs_screenshots.py
"""

import os
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from freezegun import freeze_time
from playwright.sync_api import expect

from auditor import services as auditor_services
from auditor.models import AccessLogEntry, AuditorAccess, EvidenceRequest
from audits.models import Audit, AuditProgramme, Capa
from documents.models import DocumentType, RouteStep
from qms.demo import DEMO_PASSWORD, seed_core
from qms.models import Clause, Process, User
from records.models import FormVersion
from tests.documents.factories import make_effective, new_revision
from tests.e2e.picker import choose
from tests.factories import PASSWORD, ensure_reference_data
from tests.records.factories import make_record, make_type, pdf_upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
VIEWPORT = {"width": 1280, "height": 800}


def _optimise(path: Path, max_height: int | None) -> None:
    """A palette PNG: screenshots of a web page have few colours, so this keeps
    text sharp at a fraction of the size."""
    from PIL import Image

    with Image.open(path) as img:
        if max_height and img.height > max_height:
            img = img.crop((0, 0, img.width, max_height))
        small = img.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


@pytest.fixture
def shot(tmp_path):
    folder = DOCS_IMG if os.environ.get("QMS_DOCS_SCREENSHOTS") == "1" else tmp_path

    def take(page, name, *, focus=None, element=None, max_height=None):
        """The viewport (scrolled to `focus`), or just `element` (cut at `max_height`)."""
        if focus is not None:
            focus.scroll_into_view_if_needed()
        path = folder / f"{name}.png"
        (element or page).screenshot(path=str(path))
        _optimise(path, max_height)
        assert path.stat().st_size > 5000  # a page was drawn, not a blank
        return path

    return take


@pytest.fixture
def demo(transactional_db):
    """The demo company's people, departments and processes (qms/demo.py),
    password DEMO_PASSWORD: what `make run` shows, without its sample data."""
    ensure_reference_data()  # a transactional test before this one flushed the seeded rows
    return seed_core()


@pytest.fixture
def open_as(browser, live_server):
    contexts = []

    def login(username, password=DEMO_PASSWORD, **context_args):
        context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="en-GB",
                                      timezone_id="UTC", **context_args)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20000)
        page.goto("/accounts/login/")
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield login
    for context in contexts:
        context.close()


def test_quality_manager_sets_up_the_system(demo, open_as, shot):
    qm = demo["qm"]
    # What the administrator does for a quality manager who keeps the document
    # types (admin guide): staff status and the document type permissions.
    qm.is_staff = True
    qm.save()
    qm.user_permissions.set(Permission.objects.filter(
        content_type__app_label="documents", codename__in=["add_documenttype", "change_documenttype",
                                                           "view_documenttype"]))
    clause_851, clause_75 = Clause.objects.get(number="8.5.1"), Clause.objects.get(number="7.5")
    production = Process.objects.get(code="PRD")
    page = open_as("qm")

    # 1. A document type, in the administration site.
    page.goto("/admin/documents/documenttype/add/")
    page.get_by_label("Code").fill("CP")
    page.get_by_label("Name").fill("Control plan")
    page.get_by_label("Numbering pattern").fill("CP-{dept}-{seq:03}")
    page.get_by_label("Revision scheme").select_option("letters")
    page.get_by_label("Review interval months").fill("12")
    shot(page, "qm-document-type")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("was added successfully").wait_for()
    cp = DocumentType.objects.get(code="CP")
    assert (cp.numbering_pattern, cp.revision_scheme, cp.review_interval_months) == ("CP-{dept}-{seq:03}", "letters", 12)

    # 2. A document of that type, sent along an approval route: a review, then any approver signs.
    page.goto("/documents/new/")
    page.locator("#id_doc_type").select_option(label="CP – Control plan")
    page.locator("#id_department").select_option(label="PRD – Production")
    page.locator("#id_title").fill("Control plan: housing line")
    page.locator("#id_distribution_groups").select_option(label="Staff")
    page.locator("#id_content").fill("# Control plan\n\n| Step | Check | Frequency |\n|---|---|---|\n"
                                     "| Deburr | Visual | Every part |\n| Torque | 12 Nm ± 1 | 1 in 20 |\n")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url(re.compile(r"/documents/CP-PRD-001/rev/1/$"))
    page.locator("#id_step1_kind").select_option("review")
    page.locator("#id_step1_users").select_option(label="Alex Turner")
    page.locator("#id_step2_kind").select_option("approve")
    page.locator("#id_step2_mode").select_option("any")
    page.locator("#id_step2_groups").select_option(label="Approver")
    form = page.locator("section[aria-labelledby=h-submit]")
    step3 = page.locator("#id_step3_kind").bounding_box()["y"] - form.bounding_box()["y"]
    shot(page, "qm-approval-route", element=form, max_height=int(step3) - 40)  # steps 1 and 2
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Sent for review and approval.").wait_for()
    steps = list(RouteStep.objects.filter(revision__document__number="CP-PRD-001").order_by("order"))
    assert [(s.kind, s.mode) for s in steps] == [("review", "all"), ("approve", "any")]
    route = page.locator("#h-route").locator("xpath=..").inner_text()
    assert "step 1: Review" in route and "any member of Approver" in route

    # 3. A record type and its form, with the form builder.
    page.goto("/records/types/new/")
    page.get_by_label("Code").fill("TORQ")
    page.get_by_label("Name").fill("Torque check")
    page.get_by_label("Description").fill("Hourly torque check of the housing screws")
    choose(page, "#id_clauses", value=clause_851.pk)
    page.get_by_label("Retention (years)").fill("10")
    page.get_by_label("Verification required").check()
    shot(page, "qm-record-type-settings", element=page.locator("main form"))
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/records/types/TORQ/fields/")
    rows = page.locator("[data-rows] [data-row]:visible")
    first = rows.nth(0)
    first.get_by_label("Label").fill("Screwdriver number")
    first.get_by_label("Required").check()
    page.get_by_role("button", name="Add field").click()
    torque = rows.last
    torque.get_by_label("Label").fill("Torque")
    torque.get_by_label("Field type").select_option("number")
    torque.get_by_label("Minimum").fill("11")
    torque.get_by_label("Maximum").fill("13")
    torque.get_by_label("Unit").fill("Nm")
    torque.get_by_label("Required").check()
    page.get_by_role("button", name="Add field").click()
    result = rows.last
    result.get_by_label("Label").fill("Result")
    result.get_by_label("Field type").select_option("choice")
    result.get_by_label("Choices (one per line)").fill("Pass\nFail")
    result.get_by_label("Required").check()
    shot(page, "qm-record-type-builder", focus=torque)
    page.get_by_role("button", name="Save as new version").click()
    page.wait_for_url("**/records/types/TORQ/")
    page.get_by_text("Form version 1 saved").wait_for()
    fields = FormVersion.objects.get(record_type__code="TORQ", version=1).fields
    assert [(f["label"], f["type"]) for f in fields] == [("Screwdriver number", "text"), ("Torque", "number"),
                                                        ("Result", "choice")]
    assert fields[1]["unit"] == "Nm" and fields[2]["choices"] == ["Pass", "Fail"]

    # 4. The audit programme: what to cover, how often; the page proposes audits.
    year = timezone.localdate().year + 1  # next year's programme: nothing in it is overdue yet
    page.goto("/audits/programmes/new/")
    page.get_by_label("Title").fill(f"Internal audit programme {year}")
    page.get_by_label("Period start").fill(f"{year}-01-01")
    page.get_by_label("Period end").fill(f"{year}-12-31")
    page.get_by_label("Objectives").fill("Every process audited at least once a year; production twice")
    page.get_by_role("button", name="Create").click()
    page.get_by_role("heading", name=f"Internal audit programme {year}").wait_for()
    programme = AuditProgramme.objects.get()
    for field, value, months, risk in (("#id_process", str(production.pk), "6", "high"),
                                       ("#id_process", str(Process.objects.get(code="PUR").pk), "12", "normal"),
                                       ("#id_clause", str(clause_75.pk), "12", "normal")):
        page.locator(field).select_option(value)
        page.locator("#id_frequency_months").fill(months)
        page.locator("#id_risk").select_option(risk)
        page.get_by_role("button", name="Add coverage").click()
        page.wait_for_load_state()
    coverage = page.locator("table.coverage")
    assert coverage.locator("tbody tr").count() == 3
    assert "high risk" in coverage.inner_text()
    assert page.locator("table.proposals tbody tr").count() >= 3
    shot(page, "qm-audit-programme")

    # 5. An audit in the programme: scheduled, then its plan issued to the auditees.
    day = date(year, 2, 3)
    page.goto("/audits/new/")
    page.locator("#id_title").fill("Production: housing line")
    page.get_by_label("Objectives").fill("Check that set-up and torque checks follow the control plan")
    page.get_by_label("Scope").fill("Housing line, both shifts")
    choose(page, "#id_criteria_clauses", value=clause_851.pk)
    page.get_by_label("Processes").select_option(value=str(production.pk))
    page.get_by_label("Planned start").fill(f"{day:%Y-%m-%d}T09:00")
    page.get_by_label("Planned end").fill(f"{day:%Y-%m-%d}T15:00")
    choose(page, "#id_lead_auditor", "Dana Ortiz")
    choose(page, "#id_auditees", "Priya Shah")
    page.get_by_label("Programme").select_option(value=str(programme.pk))
    page.get_by_role("button", name="Schedule").click()
    page.get_by_text("scheduled").first.wait_for()
    page.get_by_role("button", name="Issue audit plan").click()
    page.get_by_text("Audit plan issued; auditees").wait_for()  # the flash message (the trail says it too)
    audit = Audit.objects.get()
    assert audit.status == Audit.Status.PREPARED and audit.lead_auditor == demo["auditor"]
    shot(page, "qm-audit-detail")

    # 6. A CAPA raised for a process nonconformity (a complaint would also name its complaint record).
    page.goto("/capa/new/")
    page.locator("#id_source").select_option("process")
    page.get_by_label("Title").fill("Torque checks skipped on the night shift")
    page.get_by_label("Description").fill("No torque check recorded between 22:00 and 06:00 on three nights in week 48")
    page.get_by_label("Severity").select_option("major")
    choose(page, "#id_owner", "Priya Shah")
    page.get_by_label("Process").select_option(value=str(production.pk))
    choose(page, "#id_clause", value=Clause.objects.get(number="8.7").pk)
    page.get_by_role("button", name="Raise").click()
    page.wait_for_url(re.compile(r"/capa/\d+/$"))
    capa = Capa.objects.get()
    assert capa.owner == demo["approver"] and capa.severity == "major"
    assert capa.number in page.locator("h1").inner_text()
    shot(page, "qm-capa")

    # 7. An external auditor's access: a window and a scope.
    start = timezone.localtime().replace(second=0, microsecond=0)
    page.goto("/auditor/access/invite/")
    page.locator("#id_full_name").fill("Erik Berg")
    page.locator("#id_email").fill("erik.berg@certbody.example")
    page.locator("#id_organisation").fill("CertBody AB")
    page.locator("#id_audit_reference").fill("ISO 9001 stage 2 certification audit")
    page.locator("#id_valid_from").fill(f"{start:%Y-%m-%dT%H:%M}")
    page.locator("#id_valid_until").fill(f"{start + timedelta(days=14):%Y-%m-%dT%H:%M}")
    page.locator("#id_clauses").select_option(value=[str(clause_75.pk), str(Clause.objects.get(number="8.5").pk)])
    page.locator("#id_processes").select_option(value=str(production.pk))
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("One-time set-password link").wait_for()
    shot(page, "qm-auditor-access")
    access = AuditorAccess.objects.get()
    assert access.organisation == "CertBody AB" and not access.all_scope
    assert sorted(access.clauses.values_list("number", flat=True)) == ["7.5", "8.5"]


def test_auditors_use_the_as_of_view_evidence_requests_and_packs(demo, open_as, shot, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    author, approver, staff, qm = demo["author"], demo["approver"], demo["staff"], demo["qm"]
    for signer in (author, approver):  # the factories below sign with the test password
        signer.set_password(PASSWORD)
        signer.save()
    calibration = Clause.objects.get(number="7.1.5.1")
    with freeze_time("2026-03-10 09:00", tick=True):
        doc = make_effective(author, approver, title="Calibration of gauges",
                             content="# Purpose\n\nEvery gauge is calibrated **monthly**.", clauses=[calibration])
        cal = make_type("CAL", name="Calibration record", verification_required=False)
        cal.clauses.set([calibration])
        record = make_record(staff, cal, evidence=[pdf_upload("certificate-G17.pdf")])
    with freeze_time("2026-06-15 09:00", tick=True):
        new_revision(author, approver, doc, content="# Purpose\n\nEvery gauge is calibrated **yearly**.")

    # 1. The internal auditor: the document as it stood on a past date.
    page = open_as("auditor")
    page.goto(f"/documents/{doc.number}/")
    page.get_by_role("link", name="As of a date…").click()
    page.get_by_label("As it stood on (end of day, UTC)").fill("2026-04-30")
    page.get_by_role("button", name="Show").click()
    assert "Past view: as it stood on 2026-04-30" in page.locator(".past-view-banner").inner_text()
    assert "monthly" in page.locator(".doc-content").inner_text()
    assert "yearly" not in page.locator(".doc-content").inner_text()
    shot(page, "auditor-asof-document")

    # 2. The external auditor, invited for clause 7.1.5 (and so 7.1.5.1), logs in.
    access, _link = auditor_services.invite_external_auditor(
        actor=qm, full_name="Erik Berg", email="erik.berg@certbody.example", organisation="CertBody AB",
        audit_reference="ISO 9001 stage 2 certification audit", valid_from=timezone.now() - timedelta(hours=1),
        valid_until=timezone.now() + timedelta(days=14), all_scope=False,
        clauses=[Clause.objects.get(number="7.1.5")],
    )
    external = User.objects.get(pk=access.user_id)
    external.set_password(DEMO_PASSWORD)  # what the one-time link lets them do (tested in tests/auditor)
    external.save()
    ext = open_as("erik.berg@certbody.example", accept_downloads=True)
    ext.get_by_role("link", name="Clauses").click()
    ext.get_by_role("link", name="7.1.5.1", exact=True).click()
    expect(ext.get_by_role("link", name="CAL – Calibration record")).to_be_visible()
    shot(ext, "auditor-clause")
    ext.get_by_role("link", name="CAL – Calibration record").click()
    ext.get_by_role("link", name=record.number).click()

    # 3. An evidence request from the record's page; the quality manager answers it.
    ext.get_by_role("link", name="Request evidence").click()
    ext.get_by_label("What do you need?").fill("Calibration certificates of gauge G-17 for the last 12 months")
    ext.get_by_role("button", name="Send request").click()
    ext.wait_for_url("**/auditor/requests/*/")
    request_url = ext.url
    req = EvidenceRequest.objects.get()
    assert req.requested_by == external and req.page_url.endswith(f"/records/{record.number}/")
    qm_page = open_as("qm")
    qm_page.goto(f"/auditor/requests/{req.pk}/")
    qm_page.get_by_label("Answer").fill("The certificate is attached to the calibration record.")
    qm_page.get_by_label("References").fill(record.number)
    qm_page.get_by_role("button", name="Send answer").click()
    qm_page.get_by_text("Answer sent to the auditor.").wait_for()
    ext.goto(request_url)
    assert ext.get_by_text("The certificate is attached to the calibration record.").is_visible()
    shot(ext, "auditor-evidence-request")

    # 4. An evidence pack for the clause and the year so far: built, downloaded, verified.
    ext.goto("/auditor/packs/")
    choose(ext, "#id_clauses", value="7.1.5")
    ext.get_by_label("Period start").fill("2026-01-01")
    ext.get_by_label("Period end").fill(f"{timezone.localdate():%Y-%m-%d}")
    ext.get_by_role("button", name="Build the pack").click()
    download_button = ext.get_by_role("link", name=re.compile(r"^Download "))
    download_button.wait_for(timeout=120000)
    with ext.expect_download() as download:
        download_button.click()
    pack = tmp_path / "pack.zip"
    download.value.save_as(pack)
    with zipfile.ZipFile(pack) as zf:
        names = zf.namelist()
    assert {"manifest.json", "manifest.sig", "manifest.csv", "README.txt"} <= set(names)
    assert any(n.endswith("certificate-G17.pdf") for n in names)
    ext.goto("/auditor/packs/")
    assert "Ready" in ext.locator("#pack-jobs").inner_text()
    shot(ext, "auditor-pack-build")
    ext.goto("/auditor/packs/verify/")
    ext.get_by_label("Pack").set_input_files(str(pack))
    ext.get_by_role("button", name="Verify").click()
    verdict = ext.locator("#verify-result").inner_text()
    assert "This pack is intact" in verdict and "this QMS recorded exactly this manifest" in verdict
    shot(ext, "auditor-pack-verify")

    # 5. The quality manager sees every page the external auditor opened.
    qm_page.goto(f"/auditor/access/{access.pk}/")
    assert AccessLogEntry.objects.filter(user=external, path=f"/records/{record.number}/").exists()
    assert f"/records/{record.number}/" in qm_page.content()
    shot(qm_page, "auditor-access-log")
