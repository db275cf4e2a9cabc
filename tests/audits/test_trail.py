"""Issue 12: a CAPA's audit trail in words. Each transition is one line (the
event and the save it made are merged), with the app's sentence for the verb,
the fields' labels, choice labels, lists and dates as elsewhere, and no
microseconds, verb codes or Python reprs."""

import re

import pytest
from django.urls import reverse

from audits import services
from tests.audits.test_capa import _to_verifying, nc  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _trail(body: str) -> str:
    """The trail as shown: the list, without the machine-readable datetime attributes."""
    return re.sub(r' datetime="[^"]*"', "", body[body.index('<ol class="list-unstyled trail">'):])


def _lines(trail: str) -> list[str]:
    return re.findall(r"<strong>(.*?)</strong>", trail)


def test_capa_trail_shows_human_labels_once_each(nc, staff, author, quality_manager, client_for):  # noqa: F811
    _to_verifying(nc, staff, author)
    services.capa_verify(actor=quality_manager, capa=nc, result="effective", notes="Twenty handovers signed")
    trail = _trail(client_for(quality_manager).get(reverse("capa:capa-detail", args=[nc.pk])).content.decode())
    lines = _lines(trail)
    assert lines == [
        "CAPA raised",
        "Root cause analysed",
        "Corrective action planned",
        "Corrective actions started",
        "Submitted for the effectiveness check",
        "Verified effective",
    ], lines
    assert "Source: Audit finding" in trail
    assert "Action: Add sign-off to handover → Alex Turner" in trail
    # The analysis: labels, booleans and the list of whys in words; the status once.
    assert "Corrective action needed: <del>—</del> → <ins>Yes</ins>" in trail
    assert "5 whys: <del>—</del> → <ins>Sheet unsigned; No time; Shift handover rushed</ins>" in trail
    assert trail.count("Status: <del>Open</del> → <ins>Analysed</ins>") == 1
    assert re.search(r"Verified at: <del>—</del> → <ins>\d{4}-\d\d-\d\d \d\d:\d\d UTC</ins>", trail)
    assert "Notes: Twenty handovers signed" in trail
    # No developer strings.
    for code in ("capa.", "Capa changed", "Capa created", "State:", "[]", "['", "+00:00", "True", "implementing"):
        assert code not in trail, code
    assert not re.search(r"\d\d:\d\d:\d\d\.\d", trail)  # no microseconds
