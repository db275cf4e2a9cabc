"""Record types in the browser: settings and the form builder (add, remove,
reorder typed fields without JSON); every field edit makes a new version."""

import pytest

from qms.models import AuditEvent, Clause
from records.models import FormVersion, RecordType
from tests.records.factories import make_type

pytestmark = pytest.mark.django_db


def _rows(rows, initial=0):
    data = {"f-TOTAL_FORMS": str(len(rows)), "f-INITIAL_FORMS": str(initial), "f-MIN_NUM_FORMS": "0",
            "f-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        for k, v in row.items():
            data[f"f-{i}-{k}"] = v
    return data


def test_quality_manager_creates_a_type_then_builds_its_form(client_for, quality_manager):
    client = client_for(quality_manager)
    clause = Clause.objects.get(number="7.1.5.2")
    response = client.post("/records/types/new/", {
        "code": "gauge", "name": "Gauge check", "numbering_pattern": "{code}-{year}-{seq:04}", "clauses": [clause.pk],
        "retention_years": "5", "verification_required": "on", "is_active": "on",
    })
    assert response.status_code == 302 and response["Location"] == "/records/types/GAUGE/fields/"
    rt = RecordType.objects.get(code="GAUGE")
    assert list(rt.clauses.all()) == [clause] and rt.retention_years == 5
    assert AuditEvent.objects.filter(verb="recordtype.created", object_id=str(rt.pk)).exists()

    response = client.post("/records/types/GAUGE/fields/", {**_rows([
        {"label": "Gauge ID", "type": "text", "required": "on", "ORDER": "1"},
        {"label": "Reading", "type": "number", "min": "0", "max": "10", "unit": "mm", "ORDER": "2"},
        {"label": "Outcome", "type": "choice", "choices": "Good\nWorn\n\nBroken", "ORDER": "3"},
        {"label": "", "type": "text", "ORDER": "4"},  # the blank extra row (numbered by the script) is ignored
    ]), "note": "First form"})
    assert response.status_code == 302
    fv = rt.form_versions.get()
    assert fv.version == 1 and fv.note == "First form" and fv.created_by == quality_manager
    assert fv.fields == [
        {"key": "gauge_id", "label": "Gauge ID", "type": "text", "required": True},
        {"key": "reading", "label": "Reading", "type": "number", "required": False, "min": "0", "max": "10", "unit": "mm"},
        {"key": "outcome", "label": "Outcome", "type": "choice", "required": False, "choices": ["Good", "Worn", "Broken"]},
    ]


def test_editing_fields_makes_a_new_version_with_stable_keys_and_order(client_for, quality_manager):
    rt = make_type("TRN", fields=[
        {"key": "trainee", "label": "Trainee", "type": "user", "required": True},
        {"key": "course", "label": "Course", "type": "text", "required": True},
        {"key": "notes", "label": "Notes", "type": "longtext", "required": False},
    ])
    page = client_for(quality_manager).get("/records/types/TRN/fields/")
    assert page.status_code == 200 and "JSON" not in page.content.decode()
    data = _rows([
        {"key": "trainee", "label": "Trainee", "type": "user", "required": "on", "ORDER": "2"},
        {"key": "course", "label": "Course title", "type": "text", "required": "on", "ORDER": "1"},
        {"key": "notes", "label": "Notes", "type": "longtext", "ORDER": "3", "DELETE": "on"},
        {"label": "Hours", "type": "number", "min": "0", "unit": "h", "ORDER": "4"},
    ], initial=3)
    response = client_for(quality_manager).post("/records/types/TRN/fields/", data)
    assert response.status_code == 302
    v2 = rt.form_versions.get(version=2)
    assert [(f["key"], f["label"]) for f in v2.fields] == [("course", "Course title"), ("trainee", "Trainee"),
                                                           ("hours", "Hours")]
    assert rt.form_versions.get(version=1).fields[0]["key"] == "trainee"  # version 1 untouched
    assert AuditEvent.objects.filter(verb="recordtype.form_version", to_state="v2").exists()


def test_unchanged_fields_do_not_make_a_version(client_for, quality_manager):
    make_type("ONE", fields=[{"key": "a", "label": "A", "type": "text", "required": False}])
    response = client_for(quality_manager).post("/records/types/ONE/fields/",
                                                _rows([{"key": "a", "label": "A", "type": "text", "ORDER": "1"}], 1),
                                                follow=True)
    assert "unchanged" in response.content.decode()
    assert FormVersion.objects.filter(record_type__code="ONE").count() == 1


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"label": "Outcome", "type": "choice", "choices": "Only one"}, "at least two choices"),
        ({"label": "Reading", "type": "number", "min": "5", "max": "1"}, "must not be below"),
        ({"label": "X", "type": "sql"}, "Select a valid choice"),
    ],
)
def test_builder_refuses_bad_definitions_and_changes_nothing(client_for, quality_manager, row, message):
    make_type("BAD", fields=[{"key": "a", "label": "A", "type": "text", "required": False}])
    response = client_for(quality_manager).post("/records/types/BAD/fields/", _rows([{**row, "ORDER": "1"}]))
    assert response.status_code == 200 and message in response.content.decode()
    assert FormVersion.objects.filter(record_type__code="BAD").count() == 1


def test_duplicate_labels_are_refused(client_for, quality_manager):
    make_type("DUP", fields=[{"key": "a", "label": "A", "type": "text", "required": False}])
    response = client_for(quality_manager).post("/records/types/DUP/fields/", _rows([
        {"label": "Same", "type": "text", "ORDER": "1"}, {"label": "same", "type": "date", "ORDER": "2"}]))
    assert "same label" in response.content.decode()
    assert FormVersion.objects.filter(record_type__code="DUP").count() == 1


def test_type_needs_a_retention_rule(client_for, quality_manager):
    response = client_for(quality_manager).post("/records/types/new/", {
        "code": "NOR", "name": "No rule", "numbering_pattern": "{code}-{seq:03}", "is_active": "on"})
    assert response.status_code == 200 and "Give a retention period" in response.content.decode()
    assert not RecordType.objects.filter(code="NOR").exists()
    client_for(quality_manager).post("/records/types/new/", {
        "code": "NOR", "name": "Kept", "numbering_pattern": "{code}-{seq:03}", "permanent": "on", "is_active": "on"})
    assert RecordType.objects.get(code="NOR").retention_years is None


def test_type_page_shows_current_effective_form_revision(client_for, staff, quality_manager, department):
    from documents.models import Document, DocumentType, Revision

    dt = DocumentType.objects.get_or_create(code="FRM", defaults={"name": "Form"})[0]
    doc = Document.objects.create(number="FRM-QA-007", title="Calibration form", doc_type=dt, owner=quality_manager,
                                  department=department)
    Revision.objects.create(document=doc, seq=1, label="00", status="superseded", created_by=quality_manager)
    Revision.objects.create(document=doc, seq=2, label="01", status="effective", created_by=quality_manager)
    rt = make_type("CAL")
    rt.form_document = doc
    rt.save()
    page = client_for(staff).get("/records/types/CAL/").content.decode()
    assert "FRM-QA-007" in page and "current revision <strong>01</strong>" in page


def test_non_quality_manager_cannot_post_fields(client_for, staff, approver):
    make_type("LCK", fields=[{"key": "a", "label": "A", "type": "text", "required": False}])
    for user in (staff, approver):
        response = client_for(user).post("/records/types/LCK/fields/", _rows([{"label": "B", "type": "text"}]))
        assert response.status_code == 403
    assert FormVersion.objects.filter(record_type__code="LCK").count() == 1
