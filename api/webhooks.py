"""Webhooks: the quality manager registers HTTPS receivers per event kind; each
event is sent to each as a signed JSON POST, by a job row that retries with
exponential backoff until the receiver answers 2xx (a receiver that is down
loses nothing: the job stays pending, the sweep sends it again).

How events get here: every app already records its transitions as audit
events with verbs (qms.audit.record_event). A post_save on AuditEvent whose
verb is in the catalogue creates the deliveries IN THE SAME TRANSACTION (the
transition and its deliveries commit together, or neither), and their jobs
are sent to a worker after commit (qms.jobs.request_job). No app knows about
webhooks; an app adds event kinds with `register_events`.

The request: `POST <url>`, body the JSON event, headers
    X-QMS-Event: record.verified
    X-QMS-Delivery: <delivery uuid>       (new for a redelivery)
    X-QMS-Event-Id: <event uuid>          (the same for a redelivery)
    X-QMS-Timestamp: <unix seconds>
    X-QMS-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
A receiver recomputes the HMAC over the exact body bytes and compares in
constant time, and refuses old timestamps (replays).

Safety (SSRF): only https URLs; plain http only to 127.0.0.1/localhost when
settings.DEBUG or WEBHOOKS_ALLOW_HTTP. The host's addresses are resolved when
the endpoint is saved and again before every request, and any address that is
not global (private, loopback, link-local, shared, reserved, multicast) is
refused. A delivery resolves the name once and connects to the address it
checked (the Host header, TLS SNI and the certificate check keep the name), so
a name that answers differently a moment later (DNS rebinding) cannot reach
an inside address. Redirects are not followed, proxies from the environment are not
used, timeouts are short, and only the first bytes of the answer are read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import ssl
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import certifi
import urllib3
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from api.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from qms import jobs, stored_text
from qms.audit import record_event, registered_verbs, verb_label
from qms.errors import DomainError
from qms.models import AuditEvent
from qms.notifications import notify
from qms.rules import require
from qms.stored_text import text as said

JOB_KIND = "webhook_delivery"
TEST_EVENT = "webhook.test"
SECRET_PREFIX = "whsec_"
USER_AGENT = "QMS-Webhooks/1"

# ------------------------------------------------------------------ the catalogue
# The events an integrator would want: the transitions of each app (audit verbs).
# Verbs of an app that is not installed drop out (only registered verbs count).
_CATALOGUE: list[str] = [
    # documents
    "document.created", "document.obsolete", "revision.submitted", "revision.approved", "revision.rejected",
    "revision.effective", "revision.superseded", "revision.obsolete",
    # records
    "record.created", "record.submitted", "record.verified", "record.amended", "record.voided",
    "record.legal_hold_on", "record.legal_hold_off", "record.disposed",
    # audits, findings and CAPA
    "audit.scheduled", "audit.started", "audit.reported", "audit.closed", "report.issued",
    "finding.raised", "finding.closed",
    "capa.raised", "capa.analysed", "capa.actions_started", "capa_action.completed",
    "capa.submitted_for_verification", "capa.verified_effective", "capa.reopened", "capa.closed",
    # the certification auditor
    "evidence_request.opened", "evidence_request.answered", "evidence_request.closed",
    # planning
    "risk.created", "risk.assessed", "risk.treating", "risk.closed", "risk.reopened", "risk.capa_raised",
    "objective.created", "objective.achieved", "objective.not_achieved", "objective.withdrawn", "kpi.measured",
    # reviews and customer feedback
    "complaint.logged", "complaint.acknowledged", "complaint.responded", "complaint.capa_raised",
    "complaint.closed", "survey.entered", "review.planned", "review.minutes_approved", "review.action_completed",
    # training
    "training.recorded", "training.completed", "training.evaluated", "training.voided",
    # suppliers
    "supplier.created", "supplier.approved", "supplier.conditional", "supplier.suspended",
    "supplier.disqualified", "supplier.evaluated",
    # equipment
    "instrument.created", "instrument.calibrated", "instrument.out_of_tolerance", "instrument.out_of_service",
    "instrument.retired",
]


def register_events(*verbs: str) -> None:
    """An app adds event kinds to the catalogue (from its AppConfig.ready())."""
    for verb in verbs:
        if verb not in _CATALOGUE:
            _CATALOGUE.append(verb)


def catalogue() -> dict[str, str]:
    """{verb: label} of the event kinds an endpoint may subscribe to."""
    known = registered_verbs()
    return {verb: known[verb].label for verb in _CATALOGUE if verb in known}


# ------------------------------------------------------------------ settings
def retry_delays() -> tuple[float, ...]:
    """The waits after each failed try: 8 tries over about 21 hours by default."""
    return tuple(getattr(settings, "WEBHOOK_RETRY_DELAYS", (10, 60, 300, 1800, 7200, 21600, 43200)))


def max_attempts() -> int:
    return len(retry_delays()) + 1


def timeouts() -> tuple[float, float]:
    return tuple(getattr(settings, "WEBHOOK_TIMEOUTS", (3.0, 5.0)))  # connect, read


def allow_http() -> bool:
    return bool(settings.DEBUG or getattr(settings, "WEBHOOKS_ALLOW_HTTP", False))


# ------------------------------------------------------------------ the secret: shown once, stored sealed
def _fernet() -> Fernet:
    key = getattr(settings, "WEBHOOK_SECRET_KEY", "") or settings.SECRET_KEY
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"qms-webhooks:" + key.encode()).digest()))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken as exc:
        raise DomainError(said(gettext_noop("The endpoint's secret cannot be read with this server's key "
                                            "(SECRET_KEY or WEBHOOK_SECRET_KEY changed): make a new endpoint."))) from exc


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


# ------------------------------------------------------------------ the URL check (SSRF)
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise DomainError(said(gettext_noop("The host name “%(host)s” does not resolve."), host=host)) from exc
    out = []
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        out.append(ip)
    return out


@dataclass(frozen=True)
class Target:
    """Where one delivery goes: the URL as registered, and the one address its
    host resolved to when it was checked. The connection is made to `ip`, so the
    name is never looked up a second time (DNS rebinding: a name may answer a
    public address to the check and 127.0.0.1 to the connect)."""

    url: str
    scheme: str
    host: str  # the name, for the Host header, TLS SNI and the certificate check
    port: int
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address
    path: str  # path and query, as sent in the request line


def resolve(url: str) -> Target:
    """The URL's target if it may receive webhooks, resolved ONCE; DomainError with the reason otherwise.

    Every address the name has must be public (a name with one private address
    among public ones is refused too: the resolver's order is not ours)."""
    url = (url or "").strip()
    if len(url) > 500:
        raise DomainError(said(gettext_noop("The URL is too long (500 characters at most).")))
    try:
        parts = urlsplit(url)
        port = parts.port
        host = (parts.hostname or "").lower()
    except ValueError as exc:
        raise DomainError(said(gettext_noop("This is not a valid URL."))) from exc
    if parts.scheme not in ("https", "http") or not host:
        raise DomainError(said(gettext_noop("The URL must be https://host/path.")))
    if parts.username or parts.password:
        raise DomainError(said(gettext_noop(
            "The URL must not carry a user name or password: the signature authenticates us.")))
    loopback_ok = allow_http() and host in LOOPBACK_NAMES
    if parts.scheme == "http" and not loopback_ok:
        raise DomainError(said(gettext_noop(
            "Only https URLs receive webhooks (plain http only to localhost on a test server).")))
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _addresses(host, port)
    if not addresses:
        raise DomainError(said(gettext_noop("The host name “%(host)s” does not resolve."), host=host))
    for ip in addresses:
        if ip.is_loopback and loopback_ok:
            continue
        if not ip.is_global or ip.is_multicast:
            raise DomainError(said(gettext_noop("The host “%(host)s” is at a private, loopback or link-local "
                                                "address (%(ip)s): webhooks go only to public addresses."),
                                   host=host, ip=ip))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(url=url, scheme=parts.scheme, host=host.strip("[]"), port=port, ip=addresses[0], path=path)


def check_url(url: str) -> str:
    """The URL if it may receive webhooks; DomainError with the reason otherwise."""
    return resolve(url).url


# ------------------------------------------------------------------ the endpoints (the quality manager's writes)
@dataclass(frozen=True)
class NewEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown once


def _clean_events(events) -> list[str]:
    known = catalogue()
    chosen = list(dict.fromkeys(str(e) for e in (events or [])))
    unknown = [e for e in chosen if e not in known]
    if unknown:
        raise DomainError(gettext("Unknown event kind(s): %(kinds)s.") % {"kinds": ", ".join(unknown)[:200]})
    if not chosen:
        raise DomainError(gettext("Choose at least one event kind."))
    return chosen


@transaction.atomic
def endpoint_create(*, actor, name: str, url: str, events) -> NewEndpoint:
    require("api.manage_webhooks", actor)
    name = (name or "").strip()
    if not name:
        raise DomainError(gettext("An endpoint needs a name."))
    url = check_url(url)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(name=name[:100], url=url, events=_clean_events(events),
                                              secret_sealed=seal(secret), secret_hint=secret[:10], created_by=actor)
    record_event(actor=actor, verb="webhook.created", obj=actor, comment=f"{endpoint.name} → {url}",
                 data={"endpoint": endpoint.pk, "events": endpoint.events})
    return NewEndpoint(endpoint=endpoint, secret=secret)


def _locked(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.deleted_at is not None:
        raise DomainError(gettext("This endpoint was deleted."))
    return endpoint


@transaction.atomic
def endpoint_set_active(*, actor, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    """Disable (no new deliveries; pending ones stop at their next try) or enable again."""
    require("api.manage_webhooks", actor)
    endpoint = _locked(endpoint)
    if endpoint.is_active == active:
        raise DomainError(gettext("This endpoint is already enabled.") if active
                          else gettext("This endpoint is already disabled."))
    endpoint.is_active = active
    endpoint.save(update_fields=["is_active"])
    record_event(actor=actor, verb="webhook.enabled" if active else "webhook.disabled", obj=actor,
                 comment=f"{endpoint.name} → {endpoint.url}", data={"endpoint": endpoint.pk})
    return endpoint


@transaction.atomic
def endpoint_delete(*, actor, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Deleted: never sent to again, its secret destroyed; its delivery log stays."""
    require("api.manage_webhooks", actor)
    endpoint = _locked(endpoint)
    endpoint.deleted_at, endpoint.is_active, endpoint.secret_sealed = timezone.now(), False, ""
    endpoint.save(update_fields=["deleted_at", "is_active", "secret_sealed"])
    record_event(actor=actor, verb="webhook.deleted", obj=actor, comment=f"{endpoint.name} → {endpoint.url}",
                 data={"endpoint": endpoint.pk})
    return endpoint


# ------------------------------------------------------------------ deliveries
def _deliver(endpoint: WebhookEndpoint, *, event: str, event_id, payload: dict, actor=None,
             redelivery_of: WebhookDelivery | None = None) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event, event_id=event_id, payload=payload,
                                              redelivery_of=redelivery_of,
                                              requested_by=actor if getattr(actor, "pk", None) else None)
    delivery.job = jobs.request_job(kind=JOB_KIND, actor=None, target=delivery, params={"delivery": delivery.pk})
    delivery.save(update_fields=["job"])
    return delivery


@transaction.atomic
def send_test(*, actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A "webhook.test" event to this endpoint alone (to check the receiver and its signature check)."""
    require("api.manage_webhooks", actor)
    endpoint = _locked(endpoint)
    if not endpoint.is_active:
        raise DomainError(gettext("This endpoint is disabled: enable it to send a test event."))
    event_id = uuid.uuid4()
    payload = {"id": str(event_id), "event": TEST_EVENT, "label": "Test event", "occurred_at": timezone.now().isoformat(),
               "actor": _actor(actor), "object": None, "from_state": "", "to_state": "", "comment": "",
               "data": {"endpoint": endpoint.name}}
    return _deliver(endpoint, event=TEST_EVENT, event_id=event_id, payload=payload, actor=actor)


@transaction.atomic
def redeliver(*, actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """The same event (same event id) sent again as a new delivery."""
    require("api.manage_webhooks", actor)
    endpoint = _locked(delivery.endpoint)
    if not endpoint.is_active:
        raise DomainError(gettext("This endpoint is disabled: enable it to redeliver."))
    return _deliver(endpoint, event=delivery.event, event_id=delivery.event_id, payload=delivery.payload,
                    actor=actor, redelivery_of=delivery)


def _actor(user) -> dict | None:
    if not getattr(user, "pk", None):
        return None
    return {"username": user.username, "name": user.display_name}


def event_payload(ev: AuditEvent) -> dict:
    obj = None
    if ev.content_type_id:
        target = None
        try:
            target = ev.content_type.get_object_for_this_type(pk=ev.object_id)
        except Exception:  # noqa: BLE001 - an object gone or of a model without a plain pk: named without a link
            target = None
        url = getattr(target, "get_absolute_url", None)
        obj = {"type": f"{ev.content_type.app_label}.{ev.content_type.model}", "id": ev.object_id,
               "name": ev.object_repr, "url": settings.SITE_URL.rstrip("/") + url() if callable(url) else None}
    return {"id": "", "event": ev.verb, "label": verb_label(ev.verb), "occurred_at": ev.created_at.isoformat(),
            "actor": _actor(ev.actor) if ev.actor_id else None, "object": obj, "from_state": ev.from_state,
            "to_state": ev.to_state, "comment": ev.comment, "data": ev.data or {}}


def _subscribers(verb: str) -> list[WebhookEndpoint]:
    return [e for e in WebhookEndpoint.objects.filter(is_active=True, deleted_at=None) if verb in (e.events or [])]


def on_audit_event(sender, instance: AuditEvent, created: bool, raw: bool = False, **kwargs) -> None:
    """An audit event of a catalogued kind: its deliveries, in the event's own transaction."""
    if not created or raw or instance.verb not in _CATALOGUE:
        return
    endpoints = _subscribers(instance.verb)
    if not endpoints:
        return
    payload = event_payload(instance)
    event_id = uuid.uuid4()
    payload["id"] = str(event_id)
    for endpoint in endpoints:
        _deliver(endpoint, event=instance.verb, event_id=event_id, payload=payload)


post_save.connect(on_audit_event, sender=AuditEvent, dispatch_uid="api.webhooks.on_audit_event")


# ------------------------------------------------------------------ the job: one HTTP try per run
def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def _tls_context() -> ssl.SSLContext:
    """Certificates verified against the CA bundle requests uses (certifi), or WEBHOOK_CA_BUNDLE."""
    return ssl.create_default_context(cafile=getattr(settings, "WEBHOOK_CA_BUNDLE", "") or certifi.where())


def _pool(target: Target) -> urllib3.HTTPConnectionPool:
    """A connection to the checked address itself, never to the name: the TLS handshake
    still sends the name (SNI) and checks the certificate is the name's."""
    connect, read = timeouts()
    timeout = urllib3.Timeout(connect=connect, read=read)
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(str(target.ip), target.port, timeout=timeout, retries=False, maxsize=1,
                                           ssl_context=_tls_context(), server_hostname=target.host,
                                           assert_hostname=target.host, cert_reqs="CERT_REQUIRED")
    return urllib3.HTTPConnectionPool(str(target.ip), target.port, timeout=timeout, retries=False, maxsize=1)


def _host_header(target: Target) -> str:
    name = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return name if target.port == default else f"{name}:{target.port}"


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str, str]:
    """(status code or None, error, first bytes of the answer)."""
    try:
        target = resolve(endpoint.url)  # again: the name may point elsewhere now; and only once
        secret = unseal(endpoint.secret_sealed)
    except DomainError as exc:
        return None, stored_text.message_of(exc), ""
    body = body_of(delivery)
    stamp = str(int(time.time()))
    headers = {"Host": _host_header(target), "Content-Type": "application/json", "User-Agent": USER_AGENT,
               "X-QMS-Event": delivery.event, "X-QMS-Delivery": str(delivery.public_id),
               "X-QMS-Event-Id": str(delivery.event_id), "X-QMS-Timestamp": stamp,
               "X-QMS-Signature": signature(secret, stamp, body)}
    # urllib3 directly (not requests): no proxy from the environment, no redirects, and the
    # connection goes to target.ip, the address the check passed, not to a fresh look-up.
    pool = _pool(target)
    try:
        answer = pool.urlopen("POST", target.path, body=body, headers=headers, redirect=False, retries=False,
                              preload_content=False, assert_same_host=False)
        try:
            excerpt = answer.read(500, decode_content=True).decode("utf-8", "replace")
            return answer.status, "", excerpt
        finally:
            answer.release_conn()
    except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
        return None, f"{type(exc).__name__} ({target.ip}): {exc}"[:500], ""
    finally:
        pool.close()


@jobs.job_handler(JOB_KIND, label=gettext_noop("Webhook delivery"), time_limit=120, lane="reminders")
def run_delivery(job) -> jobs.JobOutput:
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=job.params["delivery"])
    endpoint = delivery.endpoint
    if delivery.status != WebhookDelivery.Status.PENDING:
        return _done(job, delivery)
    if not endpoint.is_active:
        why = stored_text.text(gettext_noop("The endpoint was disabled or deleted before the event could be delivered."))
        _give_up(delivery, why)
        raise DomainError(why)
    now = timezone.now()
    if delivery.next_attempt_at and delivery.next_attempt_at > now:  # sent early (the sweep): wait for its time
        raise jobs.TransientJobError(gettext_noop("Not yet time for the next try."),
                                     retry_in=(delivery.next_attempt_at - now).total_seconds())
    started = time.monotonic()
    code, error, excerpt = _post(endpoint, delivery)
    took = int((time.monotonic() - started) * 1000)
    number = delivery.attempts + 1
    ok = code is not None and 200 <= code < 300
    if not ok and not error:
        error = stored_text.text(gettext_noop("The receiver answered %(code)s."), code=code)
    with transaction.atomic():
        WebhookAttempt.objects.create(delivery=delivery, number=number, status_code=code, duration_ms=took,
                                      response_excerpt=excerpt[:500], **stored_text.fields("error", error, limit=500))
        delivery.attempts, delivery.last_status_code = number, code
        delivery.last_error, delivery.last_error_i18n = str(error)[:500], stored_text.as_data(error)
        if ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                WebhookDelivery.Status.DELIVERED, timezone.now(), None)
            delivery.save(update_fields=["attempts", "last_status_code", "last_error", "last_error_i18n", "status",
                                         "delivered_at", "next_attempt_at"])
            return _done(job, delivery)
        delays = retry_delays()
        if number >= max_attempts():
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
        else:
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=delays[number - 1])
        delivery.save(update_fields=["attempts", "last_status_code", "last_error", "last_error_i18n", "status",
                                     "next_attempt_at"])
    if delivery.status == WebhookDelivery.Status.FAILED:
        notify(endpoint.created_by, url=reverse("api:webhooks-endpoint", args=[endpoint.pk]),
               title=stored_text.text(gettext_noop("Webhook “%(name)s” failed"), name=endpoint.name),
               body=stored_text.text(gettext_noop("%(event)s: not delivered after %(number)s tries. %(error)s"),
                                     event=delivery.event, number=number, error=error))
        raise DomainError(stored_text.text(gettext_noop("Not delivered after %(number)s tries: %(error)s"),
                                           number=number, error=error))
    raise jobs.TransientJobError(gettext_noop("Try %(number)s failed: %(error)s") % {"number": number, "error": error},
                                 retry_in=delays[number - 1])


def _done(job, delivery: WebhookDelivery) -> jobs.JobOutput:
    """Ready with no file: the delivery row is the result."""
    output = jobs.JobOutput(filename="", content_type="application/json", stored_name="", sha256="", size=0)
    with transaction.atomic():
        jobs.commit_ready(job, output)
    return output


def _give_up(delivery: WebhookDelivery, why: str) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=None, **stored_text.fields("last_error", why, limit=500))


# ------------------------------------------------------------------ reads
def endpoints_for(user):
    from qms.rules import allowed

    if not allowed("api.manage_webhooks", user):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(deleted_at=None).select_related("created_by").order_by("name", "id")


def deliveries_of(endpoint: WebhookEndpoint):
    return (WebhookDelivery.objects.filter(endpoint=endpoint).select_related("job")
            .prefetch_related("tries").order_by("-created_at", "-id"))


# ------------------------------------------------------------------ the API resource (/api/v1/webhooks/)
from django.shortcuts import get_object_or_404  # noqa: E402 - the resource part of the module
from drf_spectacular.utils import OpenApiResponse, extend_schema  # noqa: E402
from rest_framework import serializers  # noqa: E402
from rest_framework.decorators import action  # noqa: E402
from rest_framework.response import Response  # noqa: E402

from api.base import ViewSet, bind, form_schema  # noqa: E402
from api.exceptions import FormInvalid  # noqa: E402
from api.resources import register  # noqa: E402

API_ERRORS = {400: OpenApiResponse(description="Field errors: {detail, code, errors}"),
              403: OpenApiResponse(description="The rule's refusal: {detail, code}"),
              404: OpenApiResponse(description="No such endpoint"),
              409: OpenApiResponse(description="Not possible in the endpoint's state: {detail, code}")}


class WebhookAttemptSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True)
    duration_ms = serializers.IntegerField()
    error = serializers.SerializerMethodField()

    def get_error(self, attempt) -> str:
        return stored_text.display(attempt, "error")  # in the reader's language (qms.stored_text)


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    event = serializers.CharField()
    event_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.SerializerMethodField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    redelivery_of = serializers.SerializerMethodField()
    tries = WebhookAttemptSerializer(many=True)

    def get_last_error(self, d) -> str:
        return stored_text.display(d, "last_error")

    def get_redelivery_of(self, d) -> str | None:
        return str(d.redelivery_of.public_id) if d.redelivery_of_id else None


class WebhookEndpointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    state = serializers.ChoiceField(choices=["active", "disabled", "deleted"])
    secret_hint = serializers.CharField(help_text=_("The secret's first characters (the secret is shown only at creation)"))
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(source="created_by.username")


class WebhookCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text=_("The signing secret: shown this once only"))


def _form_class():
    from api.forms import WebhookForm

    return WebhookForm


class WebhookViewSet(ViewSet):
    """The quality manager's webhook endpoints, their deliveries, and the test and redeliver buttons."""

    serializer_class = WebhookEndpointSerializer
    lookup_value_converter = "int"

    def get_queryset(self):
        require("api.manage_webhooks", self.request.user)
        return endpoints_for(self.request.user)

    def _endpoint(self, pk) -> WebhookEndpoint:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WebhookEndpointSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(WebhookEndpointSerializer(self._endpoint(pk)).data)

    @extend_schema(request=form_schema("WebhookCreate", _form_class()()),
                   responses={201: WebhookCreatedSerializer, **API_ERRORS})
    def create(self, request):
        """A new endpoint; the answer carries its signing secret, this once only."""
        require("api.manage_webhooks", request.user)
        form = bind(_form_class(), request)
        try:
            made = endpoint_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            raise FormInvalid({"non_field_errors": [exc.message]}) from exc
        made.endpoint.secret = made.secret  # for this answer only
        return Response(WebhookCreatedSerializer(made.endpoint).data, status=201)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The endpoint's delivery log, newest first, with every try's answer and time."""
        qs = deliveries_of(self._endpoint(pk)).select_related("redelivery_of")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer, **API_ERRORS})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Send a "webhook.test" event to this endpoint."""
        delivery = send_test(actor=request.user, endpoint=self._endpoint(pk))
        return Response(WebhookDeliverySerializer(delivery).data, status=202)

    @extend_schema(request=None, responses={200: WebhookEndpointSerializer, **API_ERRORS})
    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None):
        return Response(WebhookEndpointSerializer(
            endpoint_set_active(actor=request.user, endpoint=self._endpoint(pk), active=False)).data)

    @extend_schema(request=None, responses={200: WebhookEndpointSerializer, **API_ERRORS})
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None):
        return Response(WebhookEndpointSerializer(
            endpoint_set_active(actor=request.user, endpoint=self._endpoint(pk), active=True)).data)

    @extend_schema(request=None, responses={200: WebhookEndpointSerializer, **API_ERRORS})
    @action(detail=True, methods=["post"], url_path="delete")
    def remove(self, request, pk=None):  # not `delete`: that would be the HTTP DELETE handler
        """Deleted: never sent to again, its secret destroyed; the delivery log stays."""
        return Response(WebhookEndpointSerializer(endpoint_delete(actor=request.user, endpoint=self._endpoint(pk))).data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer, **API_ERRORS})
    @action(detail=True, methods=["post"], url_path="deliveries/<uuid:delivery_id>/redeliver")
    def redeliver(self, request, pk=None, delivery_id=None):
        """The same event (same X-QMS-Event-Id) sent again as a new delivery."""
        delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"),
                                     endpoint=self._endpoint(pk), public_id=delivery_id)
        return Response(WebhookDeliverySerializer(redeliver(actor=request.user, delivery=delivery)).data, status=202)


register("webhooks", WebhookViewSet, "webhook")
