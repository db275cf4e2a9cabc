"""The demo audits: past cycles carried out and closed with their CAPAs, two
internal auditors from different departments, and every proposal of this
year's programme can be accepted as the quality manager clicks it."""

import io

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from audits import demo, selectors
from audits.models import Audit, AuditProgramme, Capa
from audits.services import impartiality_conflicts
from qms.demo import months_before, seed_core
from qms.models import User
from qms.permissions import Role
from tests.factories import ensure_reference_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    ensure_reference_data()
    users = seed_core()
    demo.seed(users=users, stdout=io.StringIO())
    return users


def test_past_audits_are_closed_with_capas_closed_after_their_check_and_reseeding_adds_nothing(seeded):
    today = timezone.localdate()
    past = Audit.objects.filter(status=Audit.Status.CLOSED, planned_start__date__lt=months_before(today, 6))
    assert past.count() >= 5
    assert past.dates("planned_start", "year").count() >= 2  # more than one programme year
    capas = Capa.objects.filter(finding__audit__in=past, status=Capa.Status.CLOSED).select_related("finding")
    assert capas.count() >= 4
    for capa in capas:
        assert capa.verified_at.date() >= capa.effectiveness_due  # checked on its planned date, not early
        assert capa.raised_at < capa.verified_at < capa.closed_at
        assert capa.finding.status == "closed"
    # This year: CAPAs still running, and one action overdue.
    assert Capa.objects.exclude(status=Capa.Status.CLOSED).count() >= 4
    assert not Audit.objects.filter(planned_start__gt=timezone.now()).exclude(
        status__in=[Audit.Status.PLANNED, Audit.Status.PREPARED]).exists()

    counts = (Audit.objects.count(), Capa.objects.count())
    out = io.StringIO()
    demo.seed(users=seeded, stdout=out)
    assert (Audit.objects.count(), Capa.objects.count()) == counts
    assert "already present" in out.getvalue()


def test_two_auditors_from_different_departments_so_every_proposal_can_be_accepted(seeded, client):
    auditors = User.objects.filter(groups__name=Role.AUDITOR, is_active=True)
    assert auditors.values("department").distinct().count() >= 2
    prog = AuditProgramme.objects.get(title=f"Internal audit programme {timezone.localdate().year}")
    proposals = selectors.proposals(prog)
    assert proposals
    client.force_login(seeded["qm"])
    for proposal in proposals:
        before = Audit.objects.count()
        response = client.post(f"/audits/programmes/{prog.pk}/accept/",
                               {"item": proposal.item.pk, "date": proposal.date.isoformat()})
        assert response.status_code == 302
        assert Audit.objects.count() == before + 1, [str(m) for m in get_messages(response.wsgi_request)]
        audit = Audit.objects.latest("id")
        assert not impartiality_conflicts([audit.lead_auditor], list(audit.processes.all()),
                                          list(audit.departments.all()))

