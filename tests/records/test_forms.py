"""The generated record form: validation of every field type (server side),
bad values change nothing, and records keep their form version (REC-03)."""

import pytest

from records import services
from records.forms import build_record_form
from records.models import FormVersion, Record
from tests.records.factories import ALL_FIELDS, GOOD, make_record

pytestmark = pytest.mark.django_db


def _post(**overrides):
    data = {k: v for k, v in GOOD.items() if k not in ("checks", "sealed")}
    data["checks"] = GOOD["checks"]
    data["sealed"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _form(cal_type, data, **kwargs):
    return build_record_form(cal_type.form_versions.get(), data, {}, **kwargs)


def test_valid_values_become_json(cal_type, staff):
    form = _form(cal_type, _post(operator=str(staff.pk)))
    assert form.is_valid(), form.errors
    assert form.json_values() == {
        "instrument": "MIC-01", "notes": "Ambient 20 °C", "deviation": "1.5", "cal_date": "2026-03-01",
        "result": "Pass", "checks": ["Visual", "Zero"], "sealed": True, "operator": staff.pk,
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("instrument", "", "required"),
        ("instrument", "x" * 501, "at most 500"),
        ("notes", "x" * 10001, "at most 10000"),
        ("deviation", "5.01", "less than or equal to 5"),
        ("deviation", "-6", "greater than or equal to -5"),
        ("deviation", "abc", "Enter a number"),
        ("cal_date", "2026-13-45", "Enter a valid date"),
        ("result", "Maybe", "Select a valid choice"),
        ("checks", ["Visual", "Smell"], "Select a valid choice"),
        ("operator", "999999", "Select a valid choice"),
    ],
)
def test_each_field_type_validates_on_the_server(cal_type, field, value, message):
    form = _form(cal_type, _post(**{field: value}))
    assert not form.is_valid()
    assert message in str(form.errors[field])


def test_required_checkbox_must_be_ticked(staff):
    from tests.records.factories import make_type

    rt = make_type("CHK", fields=[{"key": "ok", "label": "Safety briefing given", "type": "checkbox", "required": True}])
    assert not build_record_form(rt.form_versions.get(), {}, {}).is_valid()
    assert build_record_form(rt.form_versions.get(), {"ok": "on"}, {}).is_valid()


def test_draft_form_allows_missing_required_but_not_out_of_range(cal_type):
    assert _form(cal_type, {"instrument": "MIC-01"}, for_draft=True).is_valid()
    assert not _form(cal_type, {"deviation": "50"}, for_draft=True).is_valid()


def test_service_refuses_values_that_bypass_the_form(staff, cal_type):
    with pytest.raises(services.RecordValidationError):
        services.record_create(actor=staff, record_type=cal_type, values={**GOOD, "result": "Maybe"}, submit=True)
    with pytest.raises(services.RecordValidationError, match="not on the form"):
        services.record_create(actor=staff, record_type=cal_type, values={**GOOD, "injected": "x"})
    assert not Record.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("deviation", "50"), ("result", "Maybe"), ("cal_date", "yesterday")])
def test_bad_value_posted_to_the_form_changes_nothing(client_for, staff, cal_type, field, value):
    response = client_for(staff).post(f"/records/new/{cal_type.code}/", {**_post(**{field: value}), "action": "submit"})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Record.objects.exists()


def test_record_made_under_version_1_renders_with_it_after_version_2(client_for, staff, quality_manager, cal_type):
    record = make_record(staff, cal_type)
    v2_fields = [dict(f) for f in ALL_FIELDS if f["key"] != "notes"]
    v2_fields[0]["label"] = "Asset tag"
    v2_fields.append({"key": "humidity", "label": "Humidity", "type": "number", "required": True, "unit": "%"})
    services.form_version_create(actor=quality_manager, record_type=cal_type, fields=v2_fields, note="v2")
    assert FormVersion.objects.filter(record_type=cal_type).count() == 2

    page = client_for(quality_manager).get(record.get_absolute_url())
    labels = [v["label"] for v in page.context["values"]]
    assert "Instrument ID" in labels and "Notes" in labels and "Humidity" not in labels
    assert "form version 1" in page.content.decode()
    assert "Ambient 20 °C" in page.content.decode()

    new = client_for(staff).get(f"/records/new/{cal_type.code}/")
    assert "humidity" in new.context["form"].fields and "notes" not in new.context["form"].fields
    record.refresh_from_db()
    assert record.form_version.version == 1


def test_record_links_to_the_form_revision_in_force_when_made(client_for, staff, quality_manager, department):
    """REC-03: after form rev 01 is released, an old record still shows rev 00."""
    from documents.models import Document, DocumentType, Revision
    from tests.records.factories import make_type

    dt = DocumentType.objects.get_or_create(code="FRM", defaults={"name": "Form"})[0]
    doc = Document.objects.create(number="FRM-QA-003", title="Calibration form", doc_type=dt, owner=quality_manager,
                                  department=department)
    rev_b = Revision.objects.create(document=doc, seq=1, label="00", status="effective", created_by=quality_manager)
    rt = make_type("CAL")
    rt.form_document = doc
    rt.save()
    old = make_record(staff, rt)
    assert old.form_revision == rev_b
    rev_b.status = "superseded"  # set directly: the documents app's own service does this in the product
    rev_b.save()
    rev_c = Revision.objects.create(document=doc, seq=2, label="01", status="effective", created_by=quality_manager)
    new = make_record(staff, rt)
    assert new.form_revision == rev_c
    page = client_for(quality_manager).get(old.get_absolute_url()).content.decode()
    assert "Made under <strong>FRM-QA-003 rev 00</strong>" in page and "now in force: rev 01" in page
