"""Demo data: the seven seeded types and a few hundred plausible records."""

import io

import pytest

from qms.demo import seed_core
from records import demo
from records.models import Record, RecordType

pytestmark = pytest.mark.django_db


def test_seed_creates_types_and_records_idempotently(media):
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
