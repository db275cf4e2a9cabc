"""The audit, CAPA and question-library pages in German (issue 20): they render,
their text comes from the catalogue, and what is stored stays in the source language."""

import pytest
from django.urls import reverse
from django.utils import translation

from audits import services
from audits.models import Capa
from qms.models import AuditEvent
from tests.audits.factories import clause, make_audit, make_record
from tests.i18n_pages import assert_pages_show

pytestmark = pytest.mark.django_db


def _german(user):
    user.language = "de"
    user.save()
    return user


@pytest.fixture
def audit(quality_manager, auditor, staff, production):
    a = make_audit(quality_manager, auditor, production, state="in_progress", auditees=[staff])
    services.checklist_generate(actor=auditor, audit=a)
    with translation.override("de"):  # as in a German auditor's request
        services.finding_raise(actor=auditor, audit=a, finding_type="minor_nc", clause=clause("8.5.1"),
                               statement="NC", owner=staff, evidence=services.EvidenceSpec(record=make_record(staff)))
    return a


def test_audit_and_capa_pages_render_in_german(client_for, audit, quality_manager):
    client = client_for(_german(quality_manager))
    capa = Capa.objects.get(finding__audit=audit)
    pages = {
        reverse("audits:audit-detail", args=[audit.pk]): ["Checkliste", "Feststellungen"],
        reverse("capa:capa-detail", args=[capa.pk]): ["1. Eindämmung und Korrektur", "Grundursache", "Audit-Trail"],
        reverse("capa:capa-list"): ["Nichtkonformitäten und CAPA"],
        reverse("audits:index"): ["Audit einplanen"],
    }
    assert_pages_show(client, pages)


def test_what_is_stored_stays_in_the_source_language_when_a_german_user_raises_it(audit):
    """The finding's trail comment and its CAPA's title are stored: never in the actor's language."""
    capa = Capa.objects.get(finding__audit=audit)
    assert capa.title.startswith("Minor nonconformity ")
    comments = set(AuditEvent.objects.filter(verb__in=["finding.raised", "capa.raised"]).values_list("comment", flat=True))
    assert "Minor nonconformity" in comments and "Audit finding" in comments
