"""The records app's part of the management review input pack (ISO 9001
9.3.2 c 3, process performance and conformity): records made in the period
per type, and the verification backlog. A fixed number of aggregate queries."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.utils import timezone

from qms import dates
from qms.review_inputs import Contribution, Period, Table, contributes
from records.models import VERIFICATION_DUE_DAYS, Record

S = Record.Status


@contributes("process_performance")
def records_in_period(period: Period) -> Contribution:
    made = Record.objects.filter(**dates.within_days("submitted_at", period.start, period.end))
    per_type = list(made.values("record_type__code", "record_type__name").annotate(
        n=Count("id"), voided=Count("id", filter=Q(status=S.VOID)),
        verified_on_time=Count("id", filter=Q(
            verified_at__isnull=False,
            verified_at__lte=F("submitted_at") + timezone.timedelta(days=VERIFICATION_DUE_DAYS))),
        to_verify=Count("id", filter=Q(record_type__verification_required=True)),
    ).order_by("-n", "record_type__code"))
    waiting = Record.objects.awaiting_verification()
    backlog = waiting.aggregate(
        n=Count("id"), overdue=Count("id", filter=Q(
            submitted_at__lt=timezone.now() - timezone.timedelta(days=VERIFICATION_DUE_DAYS))))
    total = sum(r["n"] for r in per_type)
    to_verify = sum(r["to_verify"] for r in per_type)
    on_time = sum(r["verified_on_time"] for r in per_type)
    return Contribution(
        "Quality records",
        facts=[("Records submitted in the period", total), ("Voided", sum(r["voided"] for r in per_type)),
               (f"Verified within {VERIFICATION_DUE_DAYS} days", f"{on_time} of {to_verify}" if to_verify else "–"),
               ("Waiting for verification now", backlog["n"]),
               (f"Waiting more than {VERIFICATION_DUE_DAYS} days", backlog["overdue"])],
        tables=[Table(["Record type", "Submitted", "Voided", f"Verified within {VERIFICATION_DUE_DAYS} days"],
                      [[f"{r['record_type__code']} {r['record_type__name']}", r["n"], r["voided"],
                        f"{r['verified_on_time']} of {r['to_verify']}" if r["to_verify"] else "–"] for r in per_type],
                      caption="Records per type in the period")],
    )
