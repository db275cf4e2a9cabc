"""Cross-field rules of the record form builder (issue 12): set by the quality
manager in the builder, stored with the form version, checked on the server
at submit and amendment, the message shown next to the field."""

import re

import pytest

from qms.errors import DomainError
from records import services
from records.models import FormVersion, Record
from records.services import RecordValidationError
from tests.records.factories import make_record, make_type

pytestmark = pytest.mark.django_db

CAL_FIELDS = [
    {"key": "instrument", "label": "Instrument ID", "type": "text", "required": True},
    {"key": "calibration_date", "label": "Calibration date", "type": "date", "required": True},
    {"key": "next_due", "label": "Next calibration due", "type": "date", "required": True},
    {"key": "reading", "label": "Reading", "type": "number", "required": False},
    {"key": "lower", "label": "Lower limit", "type": "number", "required": False},
    {"key": "upper", "label": "Upper limit", "type": "number", "required": False},
    {"key": "result", "label": "Result", "type": "choice", "required": True, "choices": ["Pass", "Fail"]},
    {"key": "checks", "label": "Checks", "type": "multichoice", "required": False, "choices": ["Visual", "Zero"]},
    {"key": "adjusted", "label": "Adjusted", "type": "checkbox", "required": False},
    {"key": "corrective", "label": "Corrective action", "type": "longtext", "required": False},
    {"key": "certificate", "label": "Certificate", "type": "file", "required": False},
]
GOOD = {"instrument": "MIC-01", "calibration_date": "2026-11-30", "next_due": "2027-11-30", "result": "Pass"}


def _field_rows(defs):
    data = {"f-TOTAL_FORMS": str(len(defs)), "f-INITIAL_FORMS": str(len(defs)), "f-MIN_NUM_FORMS": "0",
            "f-MAX_NUM_FORMS": "1000"}
    for i, d in enumerate(defs):
        data.update({f"f-{i}-key": d["key"], f"f-{i}-label": d["label"], f"f-{i}-type": d["type"],
                     f"f-{i}-ORDER": str(i + 1)})
        if d.get("required"):
            data[f"f-{i}-required"] = "on"
        if d.get("choices"):
            data[f"f-{i}-choices"] = "\n".join(d["choices"])
    return data


def _rule_rows(rules, initial=0):
    data = {"r-TOTAL_FORMS": str(len(rules)), "r-INITIAL_FORMS": str(initial), "r-MIN_NUM_FORMS": "0",
            "r-MAX_NUM_FORMS": "1000"}
    for i, rule in enumerate(rules):
        data.update({f"r-{i}-{k}": v for k, v in rule.items()})
    return data


def _type_with_rules(rules, code="CAL", fields=CAL_FIELDS):
    # A form version is append-only once stored: create it with its rules.
    from records.models import RecordType

    rt = RecordType.objects.create(code=code, name=f"{code} record", retention_years=10, verification_required=True)
    FormVersion.objects.create(record_type=rt, version=1, fields=fields, rules=rules)
    return rt


def _post_record(client, code, values, action="submit"):
    return client.post(f"/records/new/{code}/", {**values, "action": action})


def _error_after_field(html: str, field_id: str) -> str:
    """The invalid-feedback text rendered in the same block as the field's input."""
    match = re.search(rf'id="{field_id}".*?<div class="invalid-feedback d-block" role="alert">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


# ------------------------------------------------------------------ the builder
def test_quality_manager_defines_a_date_rule_in_the_builder_and_it_is_stored_with_the_version(
        client_for, quality_manager):
    rt = make_type("CAL", fields=CAL_FIELDS)
    client = client_for(quality_manager)
    page = client.get("/records/types/CAL/fields/").content.decode()
    assert "Cross-field rules" in page and 'id="builder-field-names"' in page
    response = client.post("/records/types/CAL/fields/", {
        **_field_rows(CAL_FIELDS),
        **_rule_rows([{"kind": "compare", "field": "Next calibration due", "op": "gt", "other": "calibration date"},
                      {"kind": "compare", "field": "", "op": "", "other": ""}]),  # the blank extra row
        "note": "Due after calibration",
    })
    assert response.status_code == 302
    v2 = rt.form_versions.get(version=2)
    assert v2.fields == CAL_FIELDS
    assert v2.rules == [{"kind": "compare", "field": "next_due", "op": "gt", "other": "calibration_date"}]
    assert rt.form_versions.get(version=1).rules == []
    detail = client.get("/records/types/CAL/").content.decode()
    assert "“Next calibration due” must be after “Calibration date”" in detail
    # The builder shows the rule again by label; saving unchanged makes no version.
    page = client.get("/records/types/CAL/fields/").content.decode()
    assert 'value="Next calibration due"' in page
    response = client.post("/records/types/CAL/fields/", {
        **_field_rows(CAL_FIELDS),
        **_rule_rows([{"kind": "compare", "field": "Next calibration due", "op": "gt", "other": "Calibration date"}], 1),
    }, follow=True)
    assert "unchanged" in response.content.decode() and rt.form_versions.count() == 2


def test_builder_refuses_a_rule_naming_a_field_that_does_not_exist(client_for, quality_manager):
    rt = make_type("CAL", fields=CAL_FIELDS)
    response = client_for(quality_manager).post("/records/types/CAL/fields/", {
        **_field_rows(CAL_FIELDS),
        **_rule_rows([{"kind": "compare", "field": "Next service", "op": "gt", "other": "Calibration date"}]),
    })
    assert response.status_code == 200
    assert "There is no field called “Next service” on this form." in response.content.decode()
    assert rt.form_versions.count() == 1


def test_builder_refuses_a_rule_on_a_field_deleted_in_the_same_save(client_for, quality_manager):
    rt = make_type("CAL", fields=CAL_FIELDS)
    data = {**_field_rows(CAL_FIELDS),
            **_rule_rows([{"kind": "required_if", "field": "Corrective action", "other": "Result", "value": "Fail"}])}
    data["f-9-DELETE"] = "on"  # "Corrective action" removed
    response = client_for(quality_manager).post("/records/types/CAL/fields/", data)
    assert "There is no field called “Corrective action”" in response.content.decode()
    assert rt.form_versions.count() == 1


@pytest.mark.parametrize(("rule", "message"), [
    ({"kind": "compare", "field": "Next calibration due", "op": "gt", "other": "Reading"},
     "must both be dates or both be numbers"),
    ({"kind": "compare", "field": "Reading", "op": "", "other": "Upper limit"}, "choose how the two fields compare"),
    ({"kind": "range", "field": "Instrument ID", "low": "0"}, "is not a number field"),
    ({"kind": "range", "field": "Reading"}, "give a lower bound, an upper bound or both"),
    ({"kind": "range", "field": "Reading", "low": "5", "high": "1"}, "the lower bound is above the upper bound"),
    ({"kind": "range", "field": "Reading", "low": "Instrument ID"}, "must be another number field"),
    ({"kind": "required_if", "field": "Corrective action", "other": "Result", "value": "Broken"},
     "“Broken” is not one of the choices of “Result”"),
    ({"kind": "required_if", "field": "Corrective action", "other": "Instrument ID", "value": "x"},
     "must be a choice or a checkbox field"),
])
def test_builder_refuses_rules_that_do_not_fit_the_fields(client_for, quality_manager, rule, message):
    rt = make_type("CAL", fields=CAL_FIELDS)
    response = client_for(quality_manager).post("/records/types/CAL/fields/", {
        **_field_rows(CAL_FIELDS), **_rule_rows([rule]),
    })
    assert response.status_code == 200 and message in response.content.decode()
    assert rt.form_versions.count() == 1


def test_a_rule_follows_a_field_renamed_in_the_same_save(client_for, quality_manager):
    rt = _type_with_rules([{"kind": "compare", "field": "next_due", "op": "gt", "other": "calibration_date"}])
    fields = [dict(d) for d in CAL_FIELDS]
    fields[2]["label"] = "Due date"
    response = client_for(quality_manager).post("/records/types/CAL/fields/", {
        **_field_rows(fields),
        **_rule_rows([{"kind": "compare", "field": "Next calibration due", "op": "gt", "other": "Calibration date"}], 1),
    })
    assert response.status_code == 302
    assert rt.form_versions.get(version=2).rules == [
        {"kind": "compare", "field": "next_due", "op": "gt", "other": "calibration_date"}]


def test_a_rule_is_removed_with_delete(client_for, quality_manager):
    rt = _type_with_rules([{"kind": "compare", "field": "next_due", "op": "gt", "other": "calibration_date"}])
    response = client_for(quality_manager).post("/records/types/CAL/fields/", {
        **_field_rows(CAL_FIELDS),
        **_rule_rows([{"kind": "compare", "field": "Next calibration due", "op": "gt", "other": "Calibration date",
                       "DELETE": "on"}], 1),
    })
    assert response.status_code == 302 and rt.form_versions.get(version=2).rules == []


def test_builder_post_without_rule_rows_keeps_the_rules(client_for, quality_manager):
    rule = {"kind": "compare", "field": "next_due", "op": "gt", "other": "calibration_date"}
    rt = _type_with_rules([rule])
    fields = [*CAL_FIELDS, {"key": "", "label": "Remarks", "type": "text"}]
    response = client_for(quality_manager).post("/records/types/CAL/fields/", _field_rows(fields))
    assert response.status_code == 302 and rt.form_versions.get(version=2).rules == [rule]


def test_the_service_refuses_rules_naming_missing_fields(quality_manager):
    rt = make_type("CAL", fields=CAL_FIELDS)
    with pytest.raises(DomainError, match="not on the form"):
        services.form_version_create(actor=quality_manager, record_type=rt, fields=CAL_FIELDS,
                                     rules=[{"kind": "compare", "field": "next_due", "op": "gt", "other": "nope"}])
    with pytest.raises(DomainError, match="unknown kind"):
        services.form_version_create(actor=quality_manager, record_type=rt, fields=CAL_FIELDS,
                                     rules=[{"kind": "regex", "field": "next_due"}])
    assert rt.form_versions.count() == 1


# ------------------------------------------------------------------ at submit
def test_next_calibration_due_before_the_calibration_date_is_refused_next_to_the_field(client_for, staff):
    _type_with_rules([{"kind": "compare", "field": "next_due", "op": "gt", "other": "calibration_date"}])
    client = client_for(staff)
    response = _post_record(client, "CAL", {**GOOD, "next_due": "2025-01-01"})
    assert response.status_code == 400
    html = response.content.decode()
    assert _error_after_field(html, "id_next_due") == (
        "“Next calibration due” must be after “Calibration date” (2026-11-30).")
    assert not Record.objects.exists()
    # The same day is not "after" either; the day after is.
    assert _post_record(client, "CAL", {**GOOD, "next_due": "2026-11-30"}).status_code == 400
    assert _post_record(client, "CAL", {**GOOD, "next_due": "2026-12-01"}).status_code == 302
    assert Record.objects.get().status == "submitted"


def test_a_draft_may_be_inconsistent_but_is_not_submitted_so(staff):
    rt = _type_with_rules([{"kind": "compare", "field": "next_due", "op": "gte", "other": "calibration_date"}])
    draft = make_record(staff, rt, values={**GOOD, "next_due": "2025-01-01"}, submit=False)
    with pytest.raises(RecordValidationError) as exc:
        services.record_submit(actor=staff, record=draft)
    assert exc.value.errors == {"next_due": ["“Next calibration due” must be on or after “Calibration date” "
                                             "(2026-11-30)."]}
    draft.refresh_from_db()
    assert draft.status == "draft"


@pytest.mark.parametrize(("op", "reading", "ok"), [
    ("lt", "9.99", True), ("lt", "10", False), ("lte", "10", True), ("lte", "10.01", False),
    ("gt", "10.5", True), ("gt", "10", False), ("gte", "10", True), ("gte", "9", False),
])
def test_a_number_compared_with_another_number_field(client_for, staff, op, reading, ok):
    _type_with_rules([{"kind": "compare", "field": "reading", "op": op, "other": "upper"}])
    response = _post_record(client_for(staff), "CAL", {**GOOD, "reading": reading, "upper": "10"})
    assert response.status_code == (302 if ok else 400)
    if not ok:
        words = {"lt": "less than", "lte": "at most", "gt": "greater than", "gte": "at least"}[op]
        assert _error_after_field(response.content.decode(), "id_reading") == (
            f"“Reading” must be {words} “Upper limit” (10).")


@pytest.mark.parametrize(("values", "error"), [
    ({"reading": "1.5"}, None),
    ({"reading": "0.99"}, "“Reading” must be between 1 and 2.5."),
    ({"reading": "2.51"}, "“Reading” must be between 1 and 2.5."),
    ({}, None),  # empty: "required" speaks for that, not the rule
])
def test_a_number_within_a_fixed_range(client_for, staff, values, error):
    _type_with_rules([{"kind": "range", "field": "reading", "low": "1", "high": "2.5"}])
    response = _post_record(client_for(staff), "CAL", {**GOOD, **values})
    assert response.status_code == (400 if error else 302)
    if error:
        assert _error_after_field(response.content.decode(), "id_reading") == error


def test_a_number_within_a_range_given_by_two_other_fields(client_for, staff):
    _type_with_rules([{"kind": "range", "field": "reading", "low_field": "lower", "high_field": "upper",
                       "message": "The reading is outside the tolerance."}])
    client = client_for(staff)
    response = _post_record(client, "CAL", {**GOOD, "reading": "7", "lower": "1", "upper": "5"})
    assert _error_after_field(response.content.decode(), "id_reading") == "The reading is outside the tolerance."
    assert _post_record(client, "CAL", {**GOOD, "reading": "5", "lower": "1", "upper": "5"}).status_code == 302


def test_required_if_a_choice_has_a_value(client_for, staff):
    _type_with_rules([{"kind": "required_if", "field": "corrective", "other": "result", "value": "Fail"}])
    client = client_for(staff)
    response = _post_record(client, "CAL", {**GOOD, "result": "Fail"})
    assert _error_after_field(response.content.decode(), "id_corrective") == (
        "“Corrective action” is required when “Result” is “Fail”.")
    assert _post_record(client, "CAL", {**GOOD, "result": "Pass"}).status_code == 302
    assert _post_record(client, "CAL", {**GOOD, "result": "Fail", "corrective": "Adjusted and re-checked"}).status_code == 302


def test_required_if_a_multichoice_contains_a_value_or_a_checkbox_is_ticked(client_for, staff):
    _type_with_rules([
        {"kind": "required_if", "field": "reading", "other": "checks", "value": "Zero"},
        {"kind": "required_if", "field": "corrective", "other": "adjusted", "value": ""},
    ])
    client = client_for(staff)
    html = _post_record(client, "CAL", {**GOOD, "checks": ["Visual", "Zero"], "adjusted": "on"}).content.decode()
    assert _error_after_field(html, "id_reading") == "“Reading” is required when “Checks” is “Zero”."
    assert _error_after_field(html, "id_corrective") == "“Corrective action” is required when “Adjusted” is ticked."
    assert _post_record(client, "CAL", {**GOOD, "checks": ["Visual"]}).status_code == 302


def test_required_if_on_a_file_field_counts_an_uploaded_file(client_for, staff, media):
    from tests.records.factories import pdf_upload

    _type_with_rules([{"kind": "required_if", "field": "certificate", "other": "result", "value": "Fail"}])
    client = client_for(staff)
    response = _post_record(client, "CAL", {**GOOD, "result": "Fail"})
    assert "“Certificate” is required when “Result” is “Fail”." in response.content.decode()
    response = client.post("/records/new/CAL/", {**GOOD, "result": "Fail", "certificate": pdf_upload(),
                                                 "action": "submit"})
    assert response.status_code == 302
    assert Record.objects.get().evidence.get().field_key == "certificate"


# ------------------------------------------------------------------ at amendment
def test_an_amendment_that_breaks_a_rule_is_refused(client_for, staff):
    rt = _type_with_rules([{"kind": "compare", "field": "next_due", "op": "gt", "other": "calibration_date"}])
    record = make_record(staff, rt, values=GOOD)
    response = client_for(staff).post(f"/records/{record.number}/amend/", {
        **GOOD, "next_due": "2025-01-01", "amendment_reason": "Typo in the due date",
    })
    assert response.status_code == 400
    assert _error_after_field(response.content.decode(), "id_next_due").startswith("“Next calibration due” must be after")
    with pytest.raises(RecordValidationError):
        services.record_amend(actor=staff, record=record, values={**GOOD, "next_due": "2025-01-01"}, reason="Typo")
    record.refresh_from_db()
    assert record.values["next_due"] == "2027-11-30" and record.amendment_count == 0
    services.record_amend(actor=staff, record=record, values={**GOOD, "next_due": "2027-06-30"}, reason="Typo")
    record.refresh_from_db()
    assert record.values["next_due"] == "2027-06-30"


def test_records_keep_the_rules_of_their_own_form_version(quality_manager, staff):
    rt = make_type("CAL", fields=CAL_FIELDS)
    old = make_record(staff, rt, values={**GOOD, "next_due": "2025-01-01"})  # version 1 had no rule
    services.form_version_create(actor=quality_manager, record_type=rt, fields=CAL_FIELDS, rules=[
        {"kind": "compare", "field": "next_due", "op": "gt", "other": "calibration_date"}])
    services.record_amend(actor=staff, record=old, values={**GOOD, "next_due": "2025-02-01"}, reason="Typo")
    with pytest.raises(RecordValidationError):
        make_record(staff, rt, values={**GOOD, "next_due": "2025-01-01"})


def test_a_new_field_never_takes_a_name_the_record_form_posts_itself(client_for, quality_manager):
    rt = make_type("ACT", fields=[{"key": "a", "label": "A", "type": "text", "required": False}])
    data = _field_rows([{"key": "a", "label": "A", "type": "text"}, {"key": "", "label": "Action", "type": "text"},
                        {"key": "", "label": "Evidence", "type": "text"}])
    data["f-INITIAL_FORMS"] = "1"
    assert client_for(quality_manager).post("/records/types/ACT/fields/", data).status_code == 302
    assert [d["key"] for d in rt.form_versions.get(version=2).fields] == ["a", "action_2", "evidence_2"]
