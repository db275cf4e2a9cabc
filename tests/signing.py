"""Helpers for posting signing forms the way a browser does: with the stamp
(content hash, copy, one-time token) of the page the signer saw."""

import re

from qms.concurrency import Stamp

STAMP_RE = re.compile(r'name="shown" value="([^"]+)"')


def shown(obj) -> dict:
    """The hidden field a signing form on a page showing `obj` carries."""
    return {"shown": Stamp.of(obj.signature_content()).dumps()}


def stamp_on(page) -> dict:
    """The hidden field of the (first) signing form on a rendered page."""
    match = STAMP_RE.search(page.content.decode())
    assert match, "no signing form on the page"
    return {"shown": match.group(1)}
