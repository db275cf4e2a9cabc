"""Prometheus metrics at `/metrics` (issue 21): what an operator watches.

The numbers come from the database at scrape time, so every web node answers
the same and nothing is lost when a node restarts (no per-process counters to
merge across gunicorn workers):

- qms_jobs{kind, status}: jobs by kind and state (pending, running, failed, ready)
- qms_job_oldest_pending_seconds{lane}: age of the oldest job still waiting, per queue lane
- qms_digests_sent_today, qms_digests_failed_today: reminder e-mails of the current UTC day
- qms_signatures_last_hour: electronic signatures in the past hour
- qms_up: 1 (the scrape reached Django)

Access: with METRICS_TOKEN set, a scraper sends `Authorization: Bearer <token>`;
without it only loopback clients are answered. Everyone else gets 403.
Answered by the health middleware, before sessions, so a scrape never touches
the session table.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpResponse
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

METRICS_PATH = "/metrics"
LOOPBACK = {"127.0.0.1", "::1"}


class QmsCollector:
    def collect(self):
        from qms import jobs
        from qms.models import DigestLog, Job, Signature

        now = timezone.now()
        by_kind = GaugeMetricFamily("qms_jobs", "Background jobs by kind and status", labels=["kind", "status"])
        for kind, status, n in Job.objects.values_list("kind", "status").annotate(n=Count("pk")).order_by():
            by_kind.add_metric([kind, status], n)
        yield by_kind

        oldest = GaugeMetricFamily("qms_job_oldest_pending_seconds", "Age of the oldest pending job per queue lane",
                                   labels=["lane"])
        ages: dict[str, float] = {lane: 0.0 for lane in jobs.LANES}
        pending = Job.objects.filter(status=Job.Status.PENDING).values_list("kind").annotate(first=Min("created_at"))
        for kind, first in pending.order_by():
            lane = jobs.lane_for(kind)
            ages[lane] = max(ages.get(lane, 0.0), (now - first).total_seconds())
        for lane, age in ages.items():
            oldest.add_metric([lane], age)
        yield oldest

        today = DigestLog.objects.filter(date=now.date()).values_list("status").annotate(n=Count("pk")).order_by()
        counts = dict(today)
        yield GaugeMetricFamily("qms_digests_sent_today", "Reminder digests sent today (UTC)",
                                value=counts.get(DigestLog.Status.SENT, 0))
        yield GaugeMetricFamily("qms_digests_failed_today", "Reminder digests that failed today (UTC)",
                                value=counts.get(DigestLog.Status.FAILED, 0))
        yield GaugeMetricFamily("qms_signatures_last_hour", "Electronic signatures in the past hour",
                                value=Signature.objects.filter(signed_at__gte=now - timedelta(hours=1)).count())
        yield GaugeMetricFamily("qms_up", "The metrics scrape reached the application", value=1)


def _allowed(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        sent = request.headers.get("Authorization", "")
        return sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].strip(), token)
    return request.META.get("REMOTE_ADDR", "") in LOOPBACK


def metrics_response(request) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse("Metrics need the bearer token (METRICS_TOKEN), or a loopback client.\n",
                            status=403, content_type="text/plain")
    registry = CollectorRegistry(auto_describe=False)
    registry.register(QmsCollector())
    response = HttpResponse(generate_latest(registry), content_type="text/plain; version=0.0.4; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
