"""Every date a user enters is bounded to the window of qms/dates.py (1990 to
ten years ahead), in one place: `bootstrap` (which every form of the project
calls) swaps each plain DateField/DateTimeField for its windowed subclass, sets
the date picker's min/max and names the window in the help text. Through the
views: record values, document dates, route effective dates, auditor grant
windows, as-of dates, packs, trail exports and register filters."""

from datetime import UTC, timedelta

import pytest
from django import forms
from django.utils import timezone

from qms import dates
from qms.forms import BootstrapForm, WindowDateField, WindowDateTimeField
from tests.documents.factories import doc_type, make_draft
from tests.factories import DepartmentFactory
from tests.records.factories import GOOD, make_type

FAR = ["0001-01-01", "9999-12-31", "1989-12-31"]


class _Form(BootstrapForm):
    on = forms.DateField(required=False)
    at = forms.DateTimeField(required=False)


def test_bootstrap_bounds_every_date_field_and_says_so():
    form = _Form()
    assert type(form.fields["on"]) is WindowDateField and type(form.fields["at"]) is WindowDateTimeField
    hint = dates.window_hint()
    assert hint in form.fields["on"].help_text and hint in form.fields["at"].help_text
    assert form.fields["on"].widget.attrs["min"] == "1990-01-01"
    assert form.fields["on"].widget.attrs["max"] == f"{dates.latest():%Y-%m-%d}"
    assert form.fields["at"].widget.attrs["max"] == f"{dates.latest():%Y-%m-%d}T23:59"
    assert hint in str(form["on"].help_text) and 'min="1990-01-01"' in str(form["on"])


@pytest.mark.parametrize("raw", [*FAR, "2026-02-30", "99999-01-01"])
def test_a_date_outside_the_window_or_impossible_is_a_form_error(raw):
    form = _Form({"on": raw, "at": f"{raw}T10:00"})
    assert not form.is_valid()
    assert set(form.errors) == {"on", "at"}
    if raw in FAR:
        assert dates.window_text() in str(form.errors["on"])


def test_the_window_ends_are_inside_it():
    last, first = dates.latest(), dates.EARLIEST
    assert _Form({"on": first.isoformat(), "at": f"{last:%Y-%m-%d}T23:00"}).is_valid()
    assert not _Form({"on": (last + timedelta(days=1)).isoformat()}).is_valid()


# ------------------------------------------------------------------ through the views


@pytest.mark.django_db
@pytest.mark.parametrize("raw", FAR)
def test_a_record_date_field_outside_the_window_saves_nothing(client_for, staff, raw):
    from records.models import Record

    make_type("CAL")
    response = client_for(staff).post("/records/new/CAL/", {**GOOD, "cal_date": raw, "action": "submit"})
    assert response.status_code == 400 and dates.window_text() in response.content.decode()
    assert not Record.objects.exists()


@pytest.mark.django_db
def test_a_document_edition_date_outside_the_window_is_refused(client_for, author):
    from documents.models import Document

    response = client_for(author).post("/documents/new/", {
        "doc_type": doc_type("SOP").pk, "department": DepartmentFactory(code="QA").pk, "title": "Receiving",
        "content": "# Scope", "external_date": "0001-01-01"})
    # Editions of external documents have their own, older window (ISO 2768-1:1989 is current).
    assert response.status_code == 200 and dates.window_text(dates.HISTORIC_EARLIEST) in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_an_external_standard_from_1989_keeps_its_edition_date(quality_manager):
    from datetime import date

    from documents import services
    from qms.errors import DomainError

    ext = doc_type("EXT")
    qa = DepartmentFactory(code="QA")
    doc = services.document_create(actor=quality_manager, doc_type=ext, department=qa,
                                   title="General tolerances", issuer="ISO", external_reference="ISO 2768-1:1989",
                                   external_date=date(1989, 11, 15), content="Purchased copy")
    assert doc.external_date == date(1989, 11, 15)
    with pytest.raises(DomainError, match="1900-01-01"):
        services.document_create(actor=quality_manager, doc_type=ext, department=qa, title="Older",
                                 issuer="ISO", external_reference="X", external_date=date(1899, 12, 31),
                                 content="x")


@pytest.mark.django_db
def test_a_route_effective_date_outside_the_window_is_refused(client_for, author, approver):
    from documents.models import Revision

    rev = make_draft(author).latest_revision
    response = client_for(author).post(f"/documents/{rev.document.number}/rev/1/submit/", {
        "step1_kind": "approve", "step1_mode": "all", "step1_users": [approver.pk], "step2_kind": "",
        "step2_mode": "all", "step3_kind": "", "step3_mode": "all", "effective_date": "9999-12-31"})
    assert response.status_code == 400 and dates.window_text() in response.content.decode()
    rev.refresh_from_db()
    assert rev.status == Revision.Status.DRAFT


@pytest.mark.django_db
def test_an_auditor_grant_ending_in_9999_is_refused(client_for, quality_manager):
    from auditor.models import AuditorAccess

    now = timezone.now()
    response = client_for(quality_manager).post("/auditor/access/invite/", {
        "full_name": "Erik Berg", "email": "erik@certbody.example", "organisation": "CertBody AB",
        "audit_reference": "Stage 2", "valid_from": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "valid_until": "9999-12-31T23:59", "all_scope": "on"})
    assert response.status_code == 200 and dates.window_text() in response.content.decode()
    assert not AuditorAccess.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url, params", [
    ("/auditor/asof/", {"on": "1989-12-31"}),
    ("/records/", {"since": "0001-01-01"}),
    ("/records/", {"until": "9999-12-31"}),
])
def test_date_filters_outside_the_window_say_so(client_for, quality_manager, url, params):
    response = client_for(quality_manager).get(url, params)
    assert response.status_code in (200, 400)
    assert dates.window_text() in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url, data", [
    ("/auditor/packs/", {"start": "0001-01-01", "end": "2026-01-31"}),
    ("/trail/export/", {"since": "0001-01-01", "fmt": "csv"}),
])
def test_exports_over_a_period_outside_the_window_are_refused(client_for, quality_manager, url, data):
    from qms.models import Job

    response = client_for(quality_manager).post(url, data)
    assert response.status_code in (200, 400)
    assert dates.window_text() in response.content.decode()
    assert not Job.objects.exists()


# ------------------------------------------------------------------ the services check the same window
@pytest.mark.django_db
def test_the_services_refuse_dates_outside_the_window_from_any_caller(quality_manager, author, approver):
    from datetime import date, datetime

    from auditor.services import invite_external_auditor
    from documents.services import StepSpec, revision_submit
    from qms.errors import DomainError

    far = date(9999, 12, 31)
    with pytest.raises(DomainError, match="The edition date must be between"):
        make_draft(author, external_date=date(1, 1, 1))
    rev = make_draft(author).latest_revision
    with pytest.raises(DomainError, match="The effective date must be between"):
        revision_submit(actor=author, revision=rev, steps=[StepSpec(kind="approve", users=[approver])],
                        effective_date=far)
    with pytest.raises(DomainError, match="The end of the access must be between"):
        invite_external_auditor(actor=quality_manager, full_name="E", email="e@cb.example", organisation="CB",
                                audit_reference="S2", valid_from=timezone.now(),
                                valid_until=datetime(9999, 12, 31, tzinfo=UTC), all_scope=True)


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York", "Asia/Shanghai"])
def test_within_days_selects_the_rows_the_date_lookups_select_as_an_index_range(zone):
    """`dates.within_days` (dashboards, packs, review inputs, trail exports, search
    filters) picks the same rows as `__date__gte`/`__date__lte` in the reader's time
    zone, edges included, while leaving the time column bare for its index."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from qms.models import Job

    tz = ZoneInfo(zone)
    day = date(2026, 3, 29)  # the spring change of clocks in Europe
    instants = [datetime(2026, 3, d, h, m, tzinfo=tz) for d in (27, 28, 29, 30, 31) for h, m in
                ((0, 0), (0, 1), (12, 0), (23, 59))]
    jobs = [Job.objects.create(kind="bench", created_at=at) for at in instants]
    assert len(jobs) == 20
    with timezone.override(tz):
        for since, until in ((day, day), (day - timedelta(days=1), day + timedelta(days=1)), (day, None),
                             (None, day), (None, None)):
            by_date = Job.objects.all()
            if since:
                by_date = by_date.filter(created_at__date__gte=since)
            if until:
                by_date = by_date.filter(created_at__date__lte=until)
            ranged = Job.objects.filter(**dates.within_days("created_at", since, until))
            assert sorted(ranged.values_list("pk", flat=True)) == sorted(by_date.values_list("pk", flat=True)), (
                zone, since, until)
            assert "::date" not in str(ranged.query) and "AT TIME ZONE" not in str(ranged.query)
        assert Job.objects.filter(**dates.within_days("created_at", day, day)).count() == 4
        assert dates.within_days("created_at", until=date.max) == {}
