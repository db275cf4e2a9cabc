"""A real SAML 2.0 identity provider in-process (pysaml2's Server) for the SAML
tests: its key and certificate are made by the test (nothing recorded is
checked in); it reads our AuthnRequest from the redirect URL and answers with
a response signed by its key, as a real IdP would post it to our ACS."""

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
PEOPLE = {
    "olivia": {"uid": ["olivia"], "displayName": ["Olivia Owens"], "mail": ["olivia@idp.example"],
               "groups": ["qms-quality"]},
    "sven": {"uid": ["sven"], "displayName": ["Sven Staff"], "mail": ["sven@idp.example"], "groups": ["qms-staff"]},
}


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
    def __init__(self):
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

    def _conf(self, with_sp=True, extra_sp: str = "") -> dict:
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.saml import NAME_FORMAT_BASIC

        conf = {
            "entityid": IDP_ENTITY, "key_file": self.key_file, "cert_file": self.cert_file,
            "xmlsec_binary": shutil.which("xmlsec1"),
            "service": {"idp": {"endpoints": {"single_sign_on_service": [(IDP_SSO, BINDING_HTTP_REDIRECT)]},
                                "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None,
                                                       "name_form": NAME_FORMAT_BASIC}}}},
        }
        if with_sp:
            conf["metadata"] = {"inline": [m for m in (self.sp_metadata, extra_sp) if m]}
        return conf

    def server(self, extra_sp: str = ""):
        from saml2.config import IdPConfig
        from saml2.server import Server

        config = IdPConfig()
        config.load(self._conf(extra_sp=extra_sp))
        return Server(config=config)

    def answer(self, redirect_url: str, username: str, *, sign=True, authn_instant=None, audience=None,
               tamper=None) -> tuple[str, object]:
        """Read our AuthnRequest off the redirect URL; return the base64 SAMLResponse for `username`
        (and the request read). `audience` makes it for another SP; `tamper` edits the signed XML."""
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.saml import AUTHN_PASSWORD, NAMEID_FORMAT_UNSPECIFIED, NameID

        query = parse_qs(urlsplit(redirect_url).query)
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

    def stop(self):
        shutil.rmtree(self.dir, ignore_errors=True)
