"""The records form builder's Reference field (qms.references): a record type
names a supplier or an instrument; the record stores its identifier, shows it,
and the scorecard and the impact list find the record through it."""

import pytest

from records.models import Record
from tests.equipment.factories import make_instrument
from tests.records.factories import make_type
from tests.records.test_builder import _rows
from tests.suppliers.factories import approved_supplier, make_supplier

pytestmark = pytest.mark.django_db


def test_the_builder_offers_a_reference_field_and_requires_its_kind(client_for, quality_manager):
    rt = make_type("INC", fields=[{"key": "lot", "label": "Lot", "type": "text", "required": True}])
    c = client_for(quality_manager)
    page = c.get(f"/records/types/{rt.code}/fields/").content.decode()
    assert "Refers to" in page and 'value="supplier"' in page and 'value="instrument"' in page
    r = c.post(f"/records/types/{rt.code}/fields/", {**_rows([
        {"key": "lot", "label": "Lot", "type": "text", "required": "on", "ORDER": "1"},
        {"label": "Supplier", "type": "reference", "ORDER": "2"},
    ], initial=1), "note": "Supplier"})
    assert r.status_code == 200 and "Choose what the field refers to." in r.content.decode()
    r = c.post(f"/records/types/{rt.code}/fields/", {**_rows([
        {"key": "lot", "label": "Lot", "type": "text", "required": "on", "ORDER": "1"},
        {"label": "Supplier", "type": "reference", "ref_kind": "supplier", "required": "on", "ORDER": "2"},
    ], initial=1), "note": "Supplier"})
    assert r.status_code == 302
    fields = rt.form_versions.order_by("-version").first().fields
    assert fields[1] == {"key": "supplier", "label": "Supplier", "type": "reference", "required": True,
                         "ref_kind": "supplier"}


def _incoming_type():
    return make_type("INC", verification_required=False, fields=[
        {"key": "lot", "label": "Lot", "type": "text", "required": True},
        {"key": "supplier", "label": "Supplier", "type": "reference", "ref_kind": "supplier", "required": True},
    ])


def test_a_record_names_its_supplier_and_the_scorecard_counts_it(client_for, quality_manager, staff):
    s = approved_supplier(quality_manager)
    rt = _incoming_type()
    c = client_for(staff)
    page = c.get(f"/records/new/{rt.code}/").content.decode()
    assert s.code in page
    r = c.post(f"/records/new/{rt.code}/", {"lot": "L-1", "supplier": s.code, "action": "submit"})
    assert r.status_code == 302
    rec = Record.objects.get()
    assert rec.values["supplier"] == s.code
    assert s.code in client_for(quality_manager).get(rec.get_absolute_url()).content.decode()
    body = client_for(quality_manager).get(f"/suppliers/{s.code}/scorecard/").content.decode()
    assert rec.number in body


def test_a_supplier_not_approved_is_refused_on_a_new_record(client_for, quality_manager, staff):
    s = make_supplier(quality_manager, name="Unapproved Ltd")
    rt = _incoming_type()
    r = client_for(staff).post(f"/records/new/{rt.code}/", {"lot": "L-1", "supplier": s.code, "action": "submit"})
    assert "not on the approved supplier list" in r.content.decode()
    assert not Record.objects.exists()


def test_the_impact_list_finds_records_through_the_field(quality_manager, staff):
    from equipment import services
    from records import services as record_services
    from tests.equipment.factories import measurement_type

    inst = make_instrument(quality_manager)
    rt = measurement_type()
    rec = record_services.record_create(actor=staff, record_type=rt, values={"gauge": inst.code, "reading": "3"})
    assert list(services.records_measured_with(quality_manager, inst, inst.last_calibrated_on)) == [rec]
