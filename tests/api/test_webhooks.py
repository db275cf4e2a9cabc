"""Webhooks (issue 16): endpoints the quality manager registers, signed JSON
deliveries as job rows with backoff, the delivery log, test and redeliver, the
SSRF guard; a real HTTP receiver on loopback checks every signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.urls import reverse

from api import webhooks
from api.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from qms import jobs
from qms.errors import DomainError
from qms.models import Job, Notification
from tests.api.conftest import client_with, token_for

PORT = 8121  # this helper's ports: 8120-8129


class Receiver:
    """A tiny HTTPS-less receiver on 127.0.0.1 that checks the HMAC of every
    request; `fail_first` requests are answered 503 (a receiver that is down)."""

    def __init__(self, port=PORT, fail_first=0):
        self.secret = ""
        self.fail_first = fail_first
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                stamp = self.headers["X-QMS-Timestamp"]
                expected = "sha256=" + hmac.new(receiver.secret.encode(), stamp.encode() + b"." + body,
                                                hashlib.sha256).hexdigest()
                valid = hmac.compare_digest(expected, self.headers["X-QMS-Signature"])
                receiver.received.append({"body": json.loads(body), "valid": valid, "headers": dict(self.headers),
                                          "path": self.path})
                if not valid:
                    code = 401
                elif receiver.fail_first > 0:
                    receiver.fail_first -= 1
                    code = 503
                else:
                    code = 200
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"ok" if code == 200 else b"down")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def loopback_ok(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOK_RETRY_DELAYS = (0, 0, 0)
    settings.WEBHOOK_TIMEOUTS = (2.0, 3.0)
    return settings


def _create(quality_manager, url, events=("webhook.test", "document.created")) -> webhooks.NewEndpoint:
    return webhooks.endpoint_create(actor=quality_manager, name="ERP", url=url,
                                    events=[e for e in events if e != "webhook.test"] or ["document.created"])


def _run(delivery) -> str:
    """What a worker does with the delivery's job: one attempt."""
    delivery.refresh_from_db()
    try:
        return jobs.execute(delivery.job_id, heartbeat=False)
    except jobs.TransientJobError:
        return "retry"


def test_page_creates_an_endpoint_shows_the_secret_once_and_the_test_event_arrives_signed(
        client_for, quality_manager, loopback_ok):
    c = client_for(quality_manager)
    with Receiver() as rx:
        page = c.post(reverse("api:webhooks"), {"name": "ERP", "url": rx.url, "events": ["record.verified",
                                                                                         "finding.raised"]})
        assert page.status_code == 200
        secret = re.search(r"whsec_[\w-]+", page.content.decode()).group(0)
        endpoint = WebhookEndpoint.objects.get()
        assert endpoint.events == ["record.verified", "finding.raised"]
        assert secret not in endpoint.secret_sealed and webhooks.unseal(endpoint.secret_sealed) == secret
        assert secret not in c.get(reverse("api:webhooks-endpoint", args=[endpoint.pk])).content.decode()
        rx.secret = secret

        r = c.post(reverse("api:webhooks-test", args=[endpoint.pk]))
        assert r.status_code == 302
        delivery = WebhookDelivery.objects.get()
        assert delivery.job.kind == "webhook_delivery" and delivery.job.status == Job.Status.PENDING
        assert _run(delivery) == Job.Status.READY
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.last_status_code == 200
    [got] = rx.received
    assert got["valid"] and got["body"]["event"] == "webhook.test"
    assert got["headers"]["X-QMS-Delivery"] == str(delivery.public_id)
    assert got["headers"]["X-QMS-Event-Id"] == got["body"]["id"] == str(delivery.event_id)
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.status_code == 200 and attempt.response_excerpt == "ok"
    detail = c.get(reverse("api:webhooks-endpoint", args=[endpoint.pk])).content.decode()
    assert "HTTP 200" in detail and "delivered" in detail


def test_a_transition_enqueues_its_delivery_in_its_own_transaction(quality_manager, author, loopback_ok):
    from tests.documents.factories import make_draft

    endpoint = _create(quality_manager, "http://127.0.0.1:8122/x").endpoint
    document = make_draft(author)
    [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert delivery.event == "document.created"
    assert delivery.payload["object"]["type"] == "documents.document"
    assert delivery.payload["object"]["id"] == str(document.pk)
    assert delivery.payload["actor"]["username"] == author.username
    assert delivery.payload["object"]["url"].endswith(document.get_absolute_url())
    # A transition that rolls back leaves no delivery behind.
    with pytest.raises(RuntimeError), transaction.atomic():
        make_draft(author, title="Rolled back")
        raise RuntimeError
    assert WebhookDelivery.objects.count() == 1
    # Events it did not subscribe to, and disabled endpoints, get nothing.
    webhooks.endpoint_set_active(actor=quality_manager, endpoint=endpoint, active=False)
    make_draft(author, title="Second")
    assert WebhookDelivery.objects.count() == 1


def test_a_receiver_that_is_down_then_recovers_gets_the_event(quality_manager, author, loopback_ok):
    from tests.documents.factories import make_draft

    with Receiver(fail_first=2) as rx:
        made = _create(quality_manager, rx.url)
        rx.secret = made.secret
        make_draft(author)
        delivery = WebhookDelivery.objects.get()
        assert _run(delivery) == "retry"
        delivery.refresh_from_db()
        assert delivery.status == "pending" and delivery.attempts == 1 and delivery.next_attempt_at
        assert delivery.job.status == Job.Status.PENDING  # given back: the sweep sends it again if Celery does not
        assert _run(delivery) == "retry"
        assert _run(delivery) == Job.Status.READY
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 3
    assert [a.status_code for a in delivery.tries.all()] == [503, 503, 200]
    assert all(r["valid"] for r in rx.received) and len({r["body"]["id"] for r in rx.received}) == 1


def test_backoff_waits_grow_and_an_early_run_does_not_send(quality_manager, author, loopback_ok):
    from tests.documents.factories import make_draft

    loopback_ok.WEBHOOK_RETRY_DELAYS = (60, 600)
    with Receiver(fail_first=5) as rx:
        rx.secret = _create(quality_manager, rx.url).secret
        make_draft(author)
        delivery = WebhookDelivery.objects.get()
        with pytest.raises(jobs.TransientJobError) as first:
            jobs.execute(delivery.job_id, heartbeat=False)
        assert first.value.retry_in == 60
        with pytest.raises(jobs.TransientJobError) as early:  # the sweep sent it before its time
            jobs.execute(delivery.job_id, heartbeat=False)
        assert 0 < early.value.retry_in <= 60
        assert len(rx.received) == 1


def test_tries_run_out_the_delivery_fails_the_owner_is_told_and_redeliver_sends_it_again(
        client_for, quality_manager, author, loopback_ok):
    from tests.documents.factories import make_draft

    with Receiver(fail_first=4) as rx:
        made = _create(quality_manager, rx.url)
        rx.secret = made.secret
        make_draft(author)
        delivery = WebhookDelivery.objects.get()
        outcomes = [_run(delivery) for _ in range(4)]
        assert outcomes == ["retry", "retry", "retry", Job.Status.FAILED]
        delivery.refresh_from_db()
        assert delivery.status == "failed" and delivery.attempts == 4
        assert Notification.objects.filter(user=quality_manager, title__contains="ERP").exists()

        c = client_for(quality_manager)
        assert c.post(reverse("api:webhooks-redeliver", args=[delivery.pk])).status_code == 302
        again = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
        assert again.redelivery_of == delivery and again.event_id == delivery.event_id
        assert _run(again) == Job.Status.READY
    assert rx.received[-1]["body"]["id"] == str(delivery.event_id)
    assert rx.received[-1]["headers"]["X-QMS-Delivery"] == str(again.public_id)


@pytest.mark.parametrize("url", [
    "http://example.com/hook",  # plain http
    "http://127.0.0.1:8122/hook",  # plain http to loopback, not allowed here
    "https://127.0.0.1/hook", "https://localhost/hook", "https://[::1]/hook",  # loopback
    "https://10.1.2.3/hook", "https://192.168.0.10/hook", "https://172.16.5.5/hook",  # private
    "https://169.254.169.254/latest/meta-data", "https://[fe80::1]/x",  # link-local (cloud metadata)
    "https://100.64.0.1/x", "https://0.0.0.0/x", "https://[::ffff:10.0.0.1]/x",  # shared, unspecified, mapped
    "https://user:pw@203.0.113.5/x", "ftp://203.0.113.5/x", "https:///nohost", "https://no-such-host.invalid/x",
])
def test_only_public_https_urls_are_accepted(url, quality_manager, client_for, settings):
    settings.DEBUG, settings.WEBHOOKS_ALLOW_HTTP = False, False
    with pytest.raises(DomainError):
        webhooks.check_url(url)
    r = client_for(quality_manager).post(reverse("api:webhooks"), {"name": "x", "url": url,
                                                                    "events": ["record.verified"]})
    assert r.status_code == 400 and not WebhookEndpoint.objects.exists()


def test_a_public_address_passes_and_a_name_that_later_points_inside_is_refused_at_send(
        quality_manager, author, loopback_ok, monkeypatch):
    assert webhooks.check_url("https://93.184.215.14/hook") == "https://93.184.215.14/hook"
    endpoint = _create(quality_manager, "http://localhost:8122/hook").endpoint
    loopback_ok.WEBHOOKS_ALLOW_HTTP = False  # as if the name now resolved to loopback on a production server
    from tests.documents.factories import make_draft

    make_draft(author)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert _run(delivery) == "retry"
    assert "Only https" in delivery.tries.get().error


def test_a_tries_error_is_shown_in_the_quality_managers_language(quality_manager, author, loopback_ok, client_for):
    endpoint = _create(quality_manager, "http://localhost:8122/hook").endpoint
    loopback_ok.WEBHOOKS_ALLOW_HTTP = False
    from tests.documents.factories import make_draft

    make_draft(author)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert _run(delivery) == "retry"
    attempt = delivery.tries.get()
    assert attempt.error.startswith("Only https URLs receive webhooks") and attempt.error_i18n  # English, and its msgid
    delivery.refresh_from_db()
    assert delivery.last_error == attempt.error and delivery.last_error_i18n == attempt.error_i18n
    quality_manager.language = "de"
    quality_manager.save(update_fields=["language"])
    page = client_for(quality_manager).get(reverse("api:webhooks-endpoint", args=[endpoint.pk])).content.decode()
    assert "Nur https-URLs empfangen Webhooks" in page and "Only https URLs" not in page
    (listed,) = client_with(token_for(quality_manager)).get(
        f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()["results"]
    assert listed["last_error"].startswith("Nur https-URLs") and listed["tries"][0]["error"].startswith("Nur https")


def test_only_the_quality_manager_sees_and_changes_webhooks(client_for, staff, author, quality_manager, loopback_ok):
    endpoint = _create(quality_manager, "http://127.0.0.1:8122/x").endpoint
    for user in (staff, author):
        c = client_for(user)
        assert c.get(reverse("api:webhooks")).status_code == 403
        assert c.get(reverse("api:webhooks-endpoint", args=[endpoint.pk])).status_code == 403
        assert c.post(reverse("api:webhooks-delete", args=[endpoint.pk])).status_code == 403
        assert client_with(token_for(user)).get("/api/v1/webhooks/").status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.deleted_at is None


def test_disable_enable_delete_from_the_page(client_for, quality_manager, loopback_ok):
    endpoint = _create(quality_manager, "http://127.0.0.1:8122/x").endpoint
    c = client_for(quality_manager)
    c.post(reverse("api:webhooks-disable", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    c.post(reverse("api:webhooks-test", args=[endpoint.pk]))
    assert not WebhookDelivery.objects.exists()  # refused: disabled
    c.post(reverse("api:webhooks-enable", args=[endpoint.pk]))
    c.post(reverse("api:webhooks-delete", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.deleted_at and endpoint.secret_sealed == ""
    assert c.get(reverse("api:webhooks-endpoint", args=[endpoint.pk])).status_code == 404
    assert endpoint.url not in c.get(reverse("api:webhooks")).content.decode()


def test_the_api_resource(quality_manager, loopback_ok):
    api = client_with(token_for(quality_manager))
    r = api.post("/api/v1/webhooks/", {"name": "ERP", "url": "http://127.0.0.1:8122/x",
                                       "events": ["record.verified"]}, format="json")
    assert r.status_code == 201, r.content
    secret, pk = r.json()["secret"], r.json()["id"]
    assert secret.startswith("whsec_") and "secret" not in api.get(f"/api/v1/webhooks/{pk}/").json()
    bad = api.post("/api/v1/webhooks/", {"name": "x", "url": "https://10.0.0.1/", "events": ["record.verified"]},
                   format="json")
    assert bad.status_code == 400 and "private" in bad.json()["errors"]["non_field_errors"][0]
    assert api.post("/api/v1/webhooks/", {"name": "x", "url": "https://10.0.0.1/", "events": ["nope"]},
                    format="json").status_code == 400
    assert api.post(f"/api/v1/webhooks/{pk}/test/").status_code == 202
    [d] = api.get(f"/api/v1/webhooks/{pk}/deliveries/").json()["results"]
    assert d["event"] == "webhook.test" and d["status"] == "pending"
    WebhookDelivery.objects.update(status="failed")
    again = api.post(f"/api/v1/webhooks/{pk}/deliveries/{d['id']}/redeliver/")
    assert again.status_code == 202 and again.json()["event_id"] == d["event_id"]
    assert api.post(f"/api/v1/webhooks/{pk}/disable/").json()["state"] == "disabled"
    assert api.post(f"/api/v1/webhooks/{pk}/disable/").status_code == 409
    assert api.post(f"/api/v1/webhooks/{pk}/delete/").json()["state"] == "deleted"
    assert api.get(f"/api/v1/webhooks/{pk}/").status_code == 404
    read_only = client_with(token_for(quality_manager, read_only=True))
    assert read_only.post("/api/v1/webhooks/", {"name": "x"}, format="json").status_code == 403


def test_list_and_detail_pages_query_counts_do_not_grow_with_rows(
        client_for, quality_manager, loopback_ok, django_assert_max_num_queries):
    c = client_for(quality_manager)
    endpoint = _create(quality_manager, "http://127.0.0.1:8122/x").endpoint

    def grow():
        made = _create(quality_manager, "http://127.0.0.1:8122/y").endpoint
        for _ in range(3):
            d = webhooks.send_test(actor=quality_manager, endpoint=endpoint)
            WebhookAttempt.objects.create(delivery=d, number=1, status_code=500, error="x")
        return made

    grow()
    with django_assert_max_num_queries(14) as first:
        c.get(reverse("api:webhooks"))
    with django_assert_max_num_queries(16) as detail_first:
        c.get(reverse("api:webhooks-endpoint", args=[endpoint.pk]))
    grow()
    with django_assert_max_num_queries(len(first.captured_queries)):
        c.get(reverse("api:webhooks"))
    with django_assert_max_num_queries(len(detail_first.captured_queries)):
        c.get(reverse("api:webhooks-endpoint", args=[endpoint.pk]))


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_and_retries(quality_manager, author):
    """The CI path: a Celery worker on Redis runs the delivery job; the first try fails, the retry delivers."""
    from tests.celery_utils import real_worker
    from tests.documents.factories import doc_type, make_draft
    from tests.factories import ensure_reference_data

    ensure_reference_data()
    doc_type("SOP")
    env = {"WEBHOOKS_ALLOW_HTTP": "True", "WEBHOOK_RETRY_DELAYS": "1,1"}
    with Receiver(port=8123, fail_first=1) as rx, real_worker(env=env):
        from django.test import override_settings

        with override_settings(WEBHOOKS_ALLOW_HTTP=True):
            rx.secret = webhooks.endpoint_create(actor=quality_manager, name="ERP", url=rx.url,
                                                 events=["document.created"]).secret
        make_draft(author)
        delivery = WebhookDelivery.objects.get()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            delivery.refresh_from_db()
            if delivery.status != "pending":
                break
            time.sleep(0.3)
    assert delivery.status == "delivered", (delivery.status, delivery.last_error)
    assert [a.status_code for a in delivery.tries.all()] == [503, 200]
    assert all(r["valid"] for r in rx.received)


# ------------------------------------------------------------------ regressions found by Schemathesis
def test_an_endpoint_id_that_is_not_a_number_is_a_json_404_not_a_500(quality_manager):
    api = client_with(token_for(quality_manager))
    for path in ("/api/v1/webhooks/%C2%81x/delete/", "/api/v1/webhooks/)/test/", "/api/v1/webhooks/abc/",
                 "/api/v1/webhooks/1.5/deliveries/bdd640fb-0667-2ad1-9c80-317fa3b1799d/redeliver/"):
        r = api.post(path) if "/delete/" in path or "/test/" in path or "redeliver" in path else api.get(path)
        assert r.status_code == 404 and r["Content-Type"] == "application/json", (path, r.status_code)


def test_the_webhook_resource_advertises_no_delete_method(quality_manager):
    api = client_with(token_for(quality_manager))
    for path in ("/api/v1/webhooks/", "/api/v1/webhooks/1/"):
        assert "DELETE" not in api.options(path)["Allow"]
        assert api.delete(path).status_code == 405


# ------------------------------------------------------------------ DNS rebinding: the address checked is the address used
def _certificates(tmp_path, name: str):
    """A test CA and a certificate for `name` it signed: (ca.pem, cert.pem, key.pem)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def cert(subject, issuer, key, signer, *, ca: bool):
        b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
             .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
             .not_valid_after(now + datetime.timedelta(days=1))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if ca:
            b = b.add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                              content_commitment=False, key_encipherment=False, data_encipherment=False,
                                              key_agreement=False, encipher_only=False, decipher_only=False),
                                critical=True)
            b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        else:
            b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            b = b.add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()),
                                critical=False)
        return b.sign(signer, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "QMS test CA")])
    ca = cert(ca_name, ca_name, ca_key, ca_key, ca=True)
    leaf = cert(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]), ca_name, key, ca_key, ca=False)
    paths = tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


class TlsReceiver(Receiver):
    """The receiver over HTTPS with a certificate for `name`; it counts every TCP
    connection (also one whose handshake fails) and the SNI names it was sent."""

    def __init__(self, cert, key):
        import ssl

        super().__init__(port=0)
        self.connections, self.sni = 0, []
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        context.sni_callback = lambda sock, name, ctx: self.sni.append(name)
        receiver, plain = self, self.server

        class Counting(type(plain)):
            def get_request(self):
                sock, addr = super().get_request()
                receiver.connections += 1
                return context.wrap_socket(sock, server_side=True), addr

        plain.server_close()
        self.server = Counting(("127.0.0.1", 0), plain.RequestHandlerClass)
        self.port = self.server.server_address[1]  # a free port: nothing else listens there
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def dns(monkeypatch):
    """A resolver we control for names under .test: each name answers its list of addresses
    in turn (the last one from then on); other names and IP literals resolve as usual."""
    import socket

    real = socket.getaddrinfo
    answers: dict[str, list[str]] = {}
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name in answers:
            asked.append(name)
            ip = answers[name].pop(0) if len(answers[name]) > 1 else answers[name][0]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, int(port or 0)))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return type("Dns", (), {"answers": answers, "asked": asked})


def test_a_name_that_rebinds_to_loopback_between_check_and_connect_never_reaches_it(
        tmp_path, quality_manager, author, loopback_ok, dns):
    """The attack: the name answers a public address to the check and 127.0.0.1 to
    the connect. The delivery connects to the address it checked, so the receiver
    listening on loopback gets no connection at all, and the name is looked up once."""
    from tests.documents.factories import make_draft

    ca, cert, key = _certificates(tmp_path, "rebind.test")
    loopback_ok.WEBHOOK_CA_BUNDLE = str(ca)
    loopback_ok.WEBHOOK_TIMEOUTS = (0.5, 0.5)
    dns.answers["rebind.test"] = ["93.184.215.14"]
    with TlsReceiver(cert, key) as rx:
        endpoint = _create(quality_manager, f"https://rebind.test:{rx.port}/hook").endpoint  # the name is public now
        dns.answers["rebind.test"] = ["93.184.215.14", "127.0.0.1"]  # the check, then whatever comes after
        dns.asked.clear()
        make_draft(author)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert _run(delivery) == "retry"
    assert dns.asked == ["rebind.test"], "one look-up per delivery"
    assert rx.connections == 0 and rx.received == []
    assert "93.184.215.14" in delivery.tries.get().error  # it tried the address it checked, and only that


def test_a_delivery_connects_to_the_checked_address_with_the_name_for_host_sni_and_certificate(
        tmp_path, quality_manager, author, loopback_ok, dns, monkeypatch):
    """The other side of the pin: the address of the check is the one connected to (here a
    loopback receiver, allowed for this name only), while the Host header, the TLS SNI and the
    certificate check are the name's; the next answer of the name (10.9.9.9) is never used."""
    from tests.documents.factories import make_draft

    monkeypatch.setattr(webhooks, "LOOPBACK_NAMES", webhooks.LOOPBACK_NAMES | {"hooks.test"})
    ca, cert, key = _certificates(tmp_path, "hooks.test")
    loopback_ok.WEBHOOK_CA_BUNDLE = str(ca)
    dns.answers["hooks.test"] = ["127.0.0.1"]
    with TlsReceiver(cert, key) as rx:
        made = _create(quality_manager, f"https://hooks.test:{rx.port}/hook?source=qms")
        rx.secret = made.secret
        dns.answers["hooks.test"] = ["127.0.0.1", "10.9.9.9"]
        make_draft(author)
        delivery = WebhookDelivery.objects.get(endpoint=made.endpoint)
        assert _run(delivery) == "ready", delivery.tries.get().error
    assert rx.connections == 1 and rx.sni == ["hooks.test"]
    got = rx.received[0]
    assert got["valid"] and got["headers"]["Host"] == f"hooks.test:{rx.port}" and got["path"] == "/hook?source=qms"
    assert got["body"]["event"] == "document.created"


def test_a_certificate_for_another_name_is_refused_although_the_address_is_pinned(
        tmp_path, quality_manager, author, loopback_ok, dns, monkeypatch):
    from tests.documents.factories import make_draft

    monkeypatch.setattr(webhooks, "LOOPBACK_NAMES", webhooks.LOOPBACK_NAMES | {"hooks.test"})
    ca, cert, key = _certificates(tmp_path, "someone-else.test")
    loopback_ok.WEBHOOK_CA_BUNDLE = str(ca)
    dns.answers["hooks.test"] = ["127.0.0.1"]
    with TlsReceiver(cert, key) as rx:
        endpoint = _create(quality_manager, f"https://hooks.test:{rx.port}/hook").endpoint
        make_draft(author)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert _run(delivery) == "retry"
    assert rx.received == []
    assert "certificate" in delivery.tries.get().error.lower() or "hostname" in delivery.tries.get().error.lower()
