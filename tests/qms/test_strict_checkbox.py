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
