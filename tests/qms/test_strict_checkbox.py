"""Checkboxes accept only what a checkbox sends: a crafted `maybe` is a form
error, `0`/`false`/`off` are No, and nothing is saved as ticked that was not."""

import pytest
from django import forms

from qms.forms import BootstrapForm, StrictBooleanField
from records.models import Record
from tests.records.factories import GOOD, make_type


class _Form(BootstrapForm):
    sealed = forms.BooleanField(required=False)


@pytest.mark.parametrize("raw, expected", [("on", True), ("true", True), ("1", True), ("yes", True),
                                           ("0", False), ("false", False), ("off", False), ("", False), (None, False)])
def test_checkbox_values_a_checkbox_or_script_may_send(raw, expected):
    form = _Form({} if raw is None else {"sealed": raw})
    assert isinstance(form.fields["sealed"], StrictBooleanField)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["sealed"] is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "ja", "on ticked", "-1"])
def test_any_other_checkbox_value_is_a_form_error(raw):
    form = _Form({"sealed": raw})
    assert not form.is_valid()
    assert "either ticked or not" in str(form.errors["sealed"])


@pytest.mark.django_db
def test_a_record_checkbox_sent_as_maybe_is_refused_and_nothing_is_saved(client, staff):
    make_type("CAL")
    client.force_login(staff)
    data = {k: v for k, v in GOOD.items() if k != "checks"}
    data.update({"checks": GOOD["checks"], "sealed": "maybe", "action": "submit"})
    response = client.post("/records/new/CAL/", data)
    assert response.status_code in (200, 400)
    assert "either ticked or not" in response.content.decode()
    assert not Record.objects.exists()
    data["sealed"] = "0"
    client.post("/records/new/CAL/", data)
    assert Record.objects.get().values["sealed"] is False


@pytest.mark.django_db
def test_a_form_builder_row_with_a_checkbox_sent_as_maybe_is_an_error_not_a_500(client_for, quality_manager):
    """Found by tests/qms/test_fuzz_forms.py: a formset asks every row has_changed(),
    which read the checkbox outside validation and raised."""
    from django.test import Client

    from records.models import FormVersion

    make_type("CAL")
    client = Client(raise_request_exception=False)
    client.force_login(quality_manager)
    response = client.post("/records/types/CAL/fields/", {
        "f-TOTAL_FORMS": "1", "f-INITIAL_FORMS": "0", "f-MIN_NUM_FORMS": "0", "f-MAX_NUM_FORMS": "1000",
        "f-0-label": "Reading", "f-0-type": "number", "f-0-required": "maybe", "f-0-ORDER": "1",
        "r-TOTAL_FORMS": "0", "r-INITIAL_FORMS": "0", "r-MIN_NUM_FORMS": "0", "r-MAX_NUM_FORMS": "1000"})
    assert response.status_code in (200, 400)
    assert "either ticked or not" in response.content.decode()
    assert FormVersion.objects.filter(record_type__code="CAL").count() == 1
