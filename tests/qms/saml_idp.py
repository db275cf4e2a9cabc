"""A real SAML 2.0 identity provider in-process (pysaml2's Server) for the SAML
tests: its key and certificate are made by the test (nothing recorded is
checked in); it reads our AuthnRequest from the redirect URL and answers with
a response signed by its key, as a real IdP would post it to our ACS.
Single logout (HTTP-Redirect): it reads our LogoutRequest, checking our
signature, and answers with a signed LogoutResponse; it sends its own
LogoutRequest (signed, or not, or with another key) and reads our answer.

`serve()` puts it on loopback over HTTP for the browser tests: its SSO
endpoint shows a login form (ForceAuthn or not, it always asks), then posts
the signed response to our ACS from an auto-submitting form; its SLO endpoint
answers our LogoutRequest with a redirect back."""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

IDP_ENTITY = "https://idp.test/saml/metadata"
IDP_SSO = "https://idp.test/saml/sso"
IDP_SLO = "https://idp.test/saml/slo"
PASSWORD = "idp-pass-Word-1"  # noqa: S105 - the browser test's IdP login form
PEOPLE = {
    "olivia": {"uid": ["olivia"], "displayName": ["Olivia Owens"], "mail": ["olivia@idp.example"],
               "groups": ["qms-quality"]},
    "sven": {"uid": ["sven"], "displayName": ["Sven Staff"], "mail": ["sven@idp.example"], "groups": ["qms-staff"]},
}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def key_pair(directory: Path, name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30)).sign(key, hashes.SHA256()))
    key_file, cert_file = directory / f"{name}.key", directory / f"{name}.crt"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


class IdentityProvider:
    def __init__(self, base_url: str = "https://idp.test/saml"):
        self.entity = f"{base_url}/metadata"
        self.sso, self.slo = f"{base_url}/sso", f"{base_url}/slo"
        if not shutil.which("xmlsec1"):
            message = "xmlsec1 is not installed (apt-get install xmlsec1)"
            if os.environ.get("QMS_REQUIRE_SERVICES") == "1":
                pytest.fail(message)
            pytest.skip(message)
        self.dir = Path(tempfile.mkdtemp(prefix="qms-saml-"))
        self.key_file, self.cert_file = key_pair(self.dir, "idp")
        self._server = None
        self.sp_metadata = ""

    def metadata(self) -> str:
        """The IdP's metadata (what SAML_IDP_METADATA holds)."""
        from saml2.config import IdPConfig
        from saml2.metadata import entity_descriptor

        config = IdPConfig()
        config.load(self._conf(with_sp=False))
        return str(entity_descriptor(config))

    def _conf(self, with_sp=True, extra_sp: str = "", want_signed=False) -> dict:
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.saml import NAME_FORMAT_BASIC

        conf = {
            "entityid": self.entity, "key_file": self.key_file, "cert_file": self.cert_file,
            "xmlsec_binary": shutil.which("xmlsec1"),
            "service": {"idp": {"endpoints": {"single_sign_on_service": [(self.sso, BINDING_HTTP_REDIRECT)],
                                              "single_logout_service": [(self.slo, BINDING_HTTP_REDIRECT)]},
                                "want_authn_requests_signed": want_signed,
                                "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None,
                                                       "name_form": NAME_FORMAT_BASIC}}}},
        }
        if with_sp:
            conf["metadata"] = {"inline": [m for m in (self.sp_metadata, extra_sp) if m]}
        return conf

    def server(self, extra_sp: str = "", want_signed=False):
        from saml2.config import IdPConfig
        from saml2.server import Server

        config = IdPConfig()
        config.load(self._conf(extra_sp=extra_sp, want_signed=want_signed))
        return Server(config=config)

    def answer(self, redirect_url: str, username: str, *, sign=True, authn_instant=None, audience=None,
               tamper=None) -> tuple[str, object]:
        """See `respond`; `redirect_url` is where our SP sent the browser."""
        return self.respond(urlsplit(redirect_url).query, username, sign=sign, authn_instant=authn_instant,
                            audience=audience, tamper=tamper)

    def respond(self, query_string: str, username: str, *, sign=True, authn_instant=None, audience=None,
                tamper=None) -> tuple[str, object]:
        """Read our AuthnRequest off the redirect URL; return the base64 SAMLResponse for `username`
        (and the request read). `audience` makes it for another SP; `tamper` edits the signed XML."""
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.saml import AUTHN_PASSWORD, NAMEID_FORMAT_UNSPECIFIED, NameID

        query = parse_qs(query_string)
        other_sp = ""
        if audience:
            other_sp = self.sp_metadata.replace(self.sp_entity, audience)
        server = self.server(extra_sp=other_sp)
        request = server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        message = request.message
        authn = {"class_ref": AUTHN_PASSWORD, "authn_instant": int(authn_instant or datetime.now(UTC).timestamp())}
        response = server.create_authn_response(
            identity=PEOPLE[username], in_response_to=message.id,
            destination=message.assertion_consumer_service_url, sp_entity_id=audience or message.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_UNSPECIFIED, text=username), authn=authn,
            sign_response=False, sign_assertion=sign)
        xml = str(response)
        if tamper:
            xml = tamper(xml)
        return base64.b64encode(xml.encode()).decode(), message

    # -------------------------------------------------------------- single logout
    def answer_logout(self, redirect_url: str, *, status=None) -> tuple[str, object]:
        """Read our LogoutRequest off the redirect URL (its signature must check against our
        certificate in the SP metadata); return the URL of our SLO endpoint with the IdP's
        signed LogoutResponse, and the request read."""
        from saml2 import BINDING_HTTP_REDIRECT

        query = {k: v[0] for k, v in parse_qs(urlsplit(redirect_url).query).items()}
        server = self.server(want_signed=True)
        asked = server.parse_logout_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT,
                                            relay_state=query.get("RelayState"), sigalg=query.get("SigAlg"),
                                            signature=query.get("Signature"))
        response = server.create_logout_response(asked.message, [BINDING_HTTP_REDIRECT], status=status, sign=False)
        destination = server.response_args(asked.message, [BINDING_HTTP_REDIRECT])["destination"]
        info = server.apply_binding(BINDING_HTTP_REDIRECT, response, destination, query.get("RelayState", ""),
                                    response=True, sign=True)
        return dict(info["headers"])["Location"], asked.message

    def logout_request(self, name_id: str, *, session_index: str = "", sign=True) -> tuple[str, str]:
        """The IdP's own LogoutRequest for `name_id` to our SLO endpoint: (the URL, its ID)."""
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.saml import NAMEID_FORMAT_UNSPECIFIED, NameID

        server = self.server()
        destination = next(iter(server.metadata.single_logout_service(
            self.sp_entity, BINDING_HTTP_REDIRECT, "spsso")))["location"]
        request_id, request = server.create_logout_request(
            destination, self.sp_entity, name_id=NameID(format=NAMEID_FORMAT_UNSPECIFIED, text=name_id),
            session_indexes=[session_index] if session_index else None, sign=False)
        info = server.apply_binding(BINDING_HTTP_REDIRECT, str(request), destination, "back-to-idp", sign=sign)
        return dict(info["headers"])["Location"], request_id

    def read_logout_response(self, redirect_url: str):
        """Our LogoutResponse off the redirect URL to the IdP's SLO endpoint, its signature checked."""
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.sigver import verify_redirect_signature

        assert redirect_url.startswith(self.slo + "?"), redirect_url
        query = {k: v[0] for k, v in parse_qs(urlsplit(redirect_url).query).items()}
        server = self.server()
        certs = server.metadata.certs(self.sp_entity, "spsso", "signing")
        assert any(verify_redirect_signature(query, server.sec.sec_backend, cert) for _, cert in certs)
        return server.parse_logout_request_response(query["SAMLResponse"], BINDING_HTTP_REDIRECT), query

    # -------------------------------------------------------------- over HTTP, for the browser
    def serve(self):
        """Serve the IdP on 127.0.0.1 (a thread); its URLs must be those it was made with
        (IdentityProvider(f"http://127.0.0.1:{port}/saml"), the port from free_port())."""
        import threading
        from wsgiref.simple_server import WSGIRequestHandler, make_server

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        port = int(urlsplit(self.sso).port)
        self._httpd = make_server("127.0.0.1", port, self._wsgi, handler_class=Quiet)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        self.logins = []  # (username, ForceAuthn) of each login at the form

    def _wsgi(self, environ, start_response):
        from html import escape

        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        query = environ.get("QUERY_STRING", "")

        def page(body: str, status="200 OK"):
            start_response(status, [("Content-Type", "text/html; charset=utf-8")])
            return [f"<!doctype html><html><head><title>Test IdP</title></head><body>{body}</body></html>".encode()]

        try:
            if path.endswith("/sso") and method == "GET":
                return page(f'<h1>Test identity provider</h1><form method="post">'
                            f'<input type="hidden" name="q" value="{escape(query)}">'
                            '<label>User name <input name="username"></label>'
                            '<label>Password <input name="password" type="password"></label>'
                            '<button type="submit">Log in at the IdP</button></form>')
            if path.endswith("/sso") and method == "POST":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()}
                if form.get("password") != PASSWORD or form.get("username") not in PEOPLE:
                    return page("<p>Wrong user name or password.</p>", "403 Forbidden")
                saml_response, message = self.respond(form["q"], form["username"])
                self.logins.append((form["username"], message.force_authn))
                relay = parse_qs(form["q"]).get("RelayState", [""])[0]
                return page(f'<form method="post" action="{escape(message.assertion_consumer_service_url)}">'
                            f'<input type="hidden" name="SAMLResponse" value="{escape(saml_response)}">'
                            f'<input type="hidden" name="RelayState" value="{escape(relay)}">'
                            '<noscript><button type="submit">Continue</button></noscript></form>'
                            '<script>document.forms[0].submit();</script>')
            if path.endswith("/slo") and method == "GET":
                back, _ = self.answer_logout(f"{self.slo}?{query}")
                start_response("302 Found", [("Location", back)])
                return [b""]
            return page("<p>Not found.</p>", "404 Not Found")
        except Exception as exc:  # noqa: BLE001 - the test IdP says what went wrong
            return page(f"<p>IdP error: {escape(repr(exc))}</p>", "500 Internal Server Error")

    def stop(self):
        if getattr(self, "_httpd", None) is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        shutil.rmtree(self.dir, ignore_errors=True)
