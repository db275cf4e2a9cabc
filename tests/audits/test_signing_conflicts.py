"""CAPA closure and report issue sign only what the signer was shown, once
(issue 11 items 3-4), through the pages users use."""

import pytest
from django.urls import reverse

from audits import services
from audits.models import Audit, Capa
from qms.models import Signature
from tests.audits.factories import REPORT_VALUES
from tests.audits.test_capa import _to_verifying, nc  # noqa: F401 - fixture
from tests.audits.test_views import audit  # noqa: F401 - fixture
from tests.signing import stamp_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def effective_capa(nc, staff, author, quality_manager):  # noqa: F811
    _to_verifying(nc, staff, author)
    services.capa_verify(actor=quality_manager, capa=nc, result="effective", notes="20 of 20 signed")
    return Capa.objects.get(pk=nc.pk)


def test_capa_closure_refuses_an_effectiveness_result_changed_after_the_page_opened(
        effective_capa, quality_manager, client_for, password):
    c = client_for(quality_manager)
    page = c.get(effective_capa.get_absolute_url())
    effective_capa.effectiveness_notes = "Only 12 of 20 signed"  # changed by someone else meanwhile
    effective_capa.save()
    r = c.post(reverse("capa:capa-close", args=[effective_capa.pk]),
               {"username": quality_manager.username, "password": password, **stamp_on(page)}, follow=True)
    body = r.content.decode()
    assert "nothing was signed" in body and "Only 12 of 20 signed" in body
    effective_capa.refresh_from_db()
    assert effective_capa.status != Capa.Status.CLOSED and not Signature.objects.filter(meaning="closed").exists()


def test_a_double_clicked_capa_closure_signs_once_and_answers_success(effective_capa, quality_manager, client_for,
                                                                      password):
    c = client_for(quality_manager)
    data = {"username": quality_manager.username, "password": password,
            **stamp_on(c.get(effective_capa.get_absolute_url()))}
    url = reverse("capa:capa-close", args=[effective_capa.pk])
    first, second = c.post(url, data, follow=True), c.post(url, data, follow=True)
    assert "closed and signed" in second.content.decode()
    assert first.redirect_chain == second.redirect_chain
    assert Signature.objects.filter(meaning="closed").count() == 1


def test_a_double_clicked_report_issue_signs_once(audit, auditor, client_for, password):  # noqa: F811
    c = client_for(auditor)
    c.post(reverse("audits:report", args=[audit.pk]), REPORT_VALUES)
    data = {"username": "auditor", "password": password, **stamp_on(c.get(reverse("audits:report", args=[audit.pk])))}
    url = reverse("audits:report-issue", args=[audit.pk])
    first, second = c.post(url, data, follow=True), c.post(url, data, follow=True)
    assert "Report issued, signed and distributed." in second.content.decode()
    assert first.redirect_chain == second.redirect_chain
    assert Signature.objects.filter(meaning="issued").count() == 1
    audit.refresh_from_db()
    assert audit.status == Audit.Status.REPORTED


def test_a_report_changed_after_the_page_opened_is_not_issued(audit, auditor, client_for, password):  # noqa: F811
    c = client_for(auditor)
    c.post(reverse("audits:report", args=[audit.pk]), REPORT_VALUES)
    page = c.get(reverse("audits:report", args=[audit.pk]))
    c.post(reverse("audits:report", args=[audit.pk]), {**REPORT_VALUES, "conclusions": "Rewritten conclusions"})
    r = c.post(reverse("audits:report-issue", args=[audit.pk]),
               {"username": "auditor", "password": password, **stamp_on(page)}, follow=True)
    assert "nothing was signed" in r.content.decode() and "Rewritten conclusions" in r.content.decode()
    audit.refresh_from_db()
    assert audit.status != Audit.Status.REPORTED
