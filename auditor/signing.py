"""The Ed25519 key that seals evidence packs.

Every pack's manifest.json is signed (manifest.sig, the raw 64-byte
signature), so a file swapped together with its hash in the manifest is
caught. The public key is published on the verify page: an auditor can check a
pack offline with OpenSSL, without trusting this server.

The private key comes from PACK_SIGNING_KEY (base64 of the 32-byte seed; make
one with `python manage.py pack_signing_key`). Unset, it is derived from
SECRET_KEY, so a development install works and keeps the same key across
restarts; set it in production so rotating SECRET_KEY does not change it.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


def _seed() -> bytes:
    configured = getattr(settings, "PACK_SIGNING_KEY", "")
    if configured:
        seed = base64.b64decode(configured)
        if len(seed) != 32:
            raise ValueError("PACK_SIGNING_KEY must be the base64 of 32 bytes.")
        return seed
    return hashlib.sha256(b"qms-evidence-pack-signing:" + settings.SECRET_KEY.encode()).digest()


def private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_seed())


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_pem() -> str:
    return public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def key_id() -> str:
    """A short fingerprint of the public key, printed in every pack's manifest."""
    raw = public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(data: bytes) -> bytes:
    return private_key().sign(data)


def verify(data: bytes, signature: bytes) -> bool:
    try:
        public_key().verify(signature, data)
    except InvalidSignature:
        return False
    return True


def new_seed_b64() -> str:
    return base64.b64encode(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
    ).decode()
