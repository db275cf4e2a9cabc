"""Inputs that gave HTTP 500 (issue 10) and dates outside the sane window:
each is a 4xx or a clear refusal, and nothing is created."""

from datetime import date

import pytest

from audits import services
from audits.models import Audit, AuditProgramme, ProgrammeItem
from qms.errors import DomainError
from tests.audits.factories import make_audit, make_process


@pytest.fixture
def programme(quality_manager):
    return services.programme_create(actor=quality_manager, title="P", objectives="o",
                                     period_start=date(2026, 1, 1), period_end=date(2026, 12, 31))


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/trail/24/abc/", "/trail/24/99999999999999999999999/", "/audits/new/?item=abc&date=2026-01-01",
    "/audits/new/?item=99999999999999999999999&date=2026-01-01", "/audits/calendar/?month=0001-01",
    "/audits/calendar/?month=9999-12", "/audits/calendar/?month=2026-13",
    "/documents/?q=control&page=99999999999999999999999",
])
def test_bad_parameters_are_a_4xx_or_a_page_not_a_500(client_for, quality_manager, url):
    assert client_for(quality_manager).get(url).status_code < 500


@pytest.mark.django_db
def test_a_finding_form_with_a_bad_item_opens_without_it(client_for, quality_manager, auditor):
    audit = make_audit(quality_manager, auditor, make_process(), state="in_progress")
    assert client_for(auditor).get(f"/audits/{audit.pk}/findings/new/?item=abc").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("item", ["abc", "", "99999999999999999999999"])
def test_accepting_a_proposal_with_a_bad_item_is_refused(client_for, quality_manager, programme, item):
    response = client_for(quality_manager).post(f"/audits/programmes/{programme.pk}/accept/",
                                                {"item": item, "date": "2026-06-01"})
    assert response.status_code in (302, 400, 404)
    assert not Audit.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("start,end", [(date(1, 1, 1), date(9999, 12, 31)), (date(2026, 1, 1), date(9999, 12, 31)),
                                       (date(1, 1, 1), date(2026, 1, 1)), (date(2026, 1, 1), date(2040, 1, 1))])
def test_a_programme_outside_the_window_of_dates_is_refused(client_for, quality_manager, start, end):
    response = client_for(quality_manager).post("/audits/programmes/new/", {
        "title": "Forever", "objectives": "o", "period_start": start.isoformat(), "period_end": end.isoformat()})
    assert response.status_code == 200 and "must be between" in response.content.decode() or \
        "at most 5 years" in response.content.decode()
    assert not AuditProgramme.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("when", [date(9999, 12, 31), date(1, 1, 1)])
def test_a_proposal_from_an_absurd_year_makes_no_audit(quality_manager, auditor, programme, when):
    process = make_process()
    item = ProgrammeItem.objects.create(programme=programme, process=process, frequency_months=12)
    with pytest.raises(DomainError, match="must be between"):
        services.proposal_accept(actor=quality_manager, programme=programme, item=item, when=when)
    assert not Audit.objects.exists()
