"""A CAPA raised by another app's object (capa_raise(origin=)) links back to it,
keeps its name as it was, and the object lists the CAPAs it raised."""

import pytest

from audits import services
from audits.selectors import capas_raised_from
from qms.errors import DomainError
from tests.audits.factories import make_record

pytestmark = pytest.mark.django_db


def test_origin_is_linked_named_and_listed(staff, quality_manager, client_for):
    rec = make_record(staff, number="CC-7")
    capa = services.capa_raise(actor=staff, source="risk", title="Key supplier may fail", description="Single source",
                               severity="minor", owner=staff, origin=rec)
    assert capa.origin == rec and capa.origin_label == str(rec)
    assert list(capas_raised_from(quality_manager, rec)) == [capa]
    page = client_for(quality_manager).get(capa.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Raised from" in html and f'href="{rec.get_absolute_url()}"' in html and "Risk or opportunity" in html


def test_a_complaint_may_come_from_an_origin_instead_of_a_record(staff):
    rec = make_record(staff, number="CC-8")
    capa = services.capa_raise(actor=staff, source="complaint", title="Late", description="d", severity="minor",
                               owner=staff, origin=rec)
    assert capa.source_record is None and capa.origin == rec


def test_an_unsaved_origin_is_refused(staff):
    from records.models import Record

    with pytest.raises(DomainError, match="saved"):
        services.capa_raise(actor=staff, source="risk", title="x", description="d", severity="minor", owner=staff,
                            origin=Record())
