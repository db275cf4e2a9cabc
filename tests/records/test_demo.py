"""Demo data: the seven seeded types and a few hundred plausible records,
made through the services at their own times."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from auditor import asof
from qms.demo import go_live, months_before, seed_core
from qms.models import AuditEvent, Signature
from records import demo
from records.models import VERIFICATION_DUE_DAYS, Record, RecordType
from tests.factories import ensure_reference_data

pytestmark = pytest.mark.django_db


def _same_moment(a, b) -> bool:
    """Stamped by the same service call (the demo's clock ticks on within it)."""
    return abs(a - b) < timedelta(seconds=5)


def test_seed_creates_types_and_records_idempotently(media):
    ensure_reference_data()  # a transactional test before may have flushed the roles
    users = seed_core()
    out = io.StringIO()
    demo.seed(users=users, stdout=out)
    assert set(RecordType.objects.values_list("code", flat=True)) == {"TRN", "CAL", "INS", "CMP", "SUP", "MRV", "NCR"}
    cal = RecordType.objects.get(code="CAL")
    assert cal.clauses.filter(number="7.1.5.2").exists() and cal.form_versions.get().fields
    total = Record.objects.count()
    assert total >= 250
    assert Record.objects.filter(amendment_count__gt=0).exists()
    assert Record.objects.filter(status="void").exclude(void_reason="").exists()
    assert Record.objects.past_retention().count() >= 5
    assert Record.objects.filter(status="draft").exists()
    assert Record.objects.filter(verified_at__isnull=False).exists()
    assert Record.objects.awaiting_verification().exists()
    assert Record.objects.values("record_type").distinct().count() == 7

    # Spread over the months since go-live, each stamped at its own time.
    today = timezone.localdate()
    since_live = Record.objects.filter(submitted_at__date__gte=go_live(today))
    months = {(r.year, r.month) for r in since_live.dates("submitted_at", "month")}
    assert len(months) >= 17 and since_live.count() >= total // 2
    record = since_live.exclude(verified_at=None).order_by("submitted_at").first()
    history = record.history.order_by("history_date")
    assert _same_moment(history.first().history_date, record.created_at)
    assert _same_moment(history.last().history_date, record.verified_at)
    signature = Signature.objects.get(meaning="verified", object_id=record.pk)
    assert _same_moment(signature.signed_at, record.verified_at)
    submitted = AuditEvent.objects.get(verb="record.submitted", object_id=str(record.pk))
    assert _same_moment(submitted.created_at, record.submitted_at)
    # Most verified within the week asked, some late.
    verified = list(Record.objects.exclude(verified_at=None))
    late = [r for r in verified if (r.verified_at - r.submitted_at).days > VERIFICATION_DUE_DAYS]
    assert 0 < len(late) < len(verified) // 4
    # The as-of register a year ago shows the records submitted by then, in their state then.
    year_ago = months_before(today, 12)
    then = list(asof.record_register(users["qm"], year_ago)[:50])
    states = asof.record_states_as_of([r.id for r in then], year_ago)
    assert len(then) == 50 and set(states) == {r.id for r in then}

    demo.seed(users=users, stdout=out)
    assert Record.objects.count() == total


def test_seed_record_types_command_is_idempotent_and_creates_no_records():
    from django.core.management import call_command

    out = io.StringIO()
    call_command("seed_record_types", stdout=out)
    call_command("seed_record_types", stdout=out)
    assert RecordType.objects.count() == 7 and not Record.objects.exists()
    assert all(rt.form_versions.count() == 1 for rt in RecordType.objects.all())
    assert "CAL, CMP, INS, MRV, NCR, SUP, TRN" in out.getvalue()
