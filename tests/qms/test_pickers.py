"""Searchable selects (issue 18.7, qms/widgets.py): the JSON endpoints that feed
them (login, scope, limit, constant queries), the widget's rendering (a capped
plain select that still works without JavaScript), and a walk of every page's
forms: each field picking people, groups, clauses, documents or records uses it."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qms import widgets
from qms.forms import BootstrapForm
from qms.models import Clause, User
from tests.documents.factories import make_draft, make_effective
from tests.factories import UserFactory
from tests.records.factories import make_record, make_type

pytestmark = pytest.mark.django_db
DIGITS = re.compile(r"\d+")


def _results(client, name, **params):
    response = client.get(f"/pick/{name}/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


# ---------------------------------------------------------------- endpoints
def test_anonymous_is_sent_to_login(client):
    response = client.get("/pick/users/", {"q": "a"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_users_match_every_word_and_leave_out_inactive_and_external_auditors(client_for, quality_manager,
                                                                             external_auditor):
    UserFactory(username="jdoe", full_name="Jane Doe")
    UserFactory(username="jdoe2", full_name="Jane Doe-Gone", is_active=False)
    UserFactory(username="jsmith", full_name="Jane Smith")
    c = client_for(quality_manager)
    assert [r["text"] for r in _results(c, "users", q="jane do")] == ["Jane Doe"]
    assert {r["text"] for r in _results(c, "users", q="JANE")} == {"Jane Doe", "Jane Smith"}
    assert _results(c, "users", q="Erik Berg") == []  # the external auditor is chosen by no form
    jane = User.objects.get(username="jdoe")
    assert _results(c, "users", q="jdoe") == [{"value": str(jane.pk), "text": "Jane Doe"}]


def test_an_external_auditor_gets_no_people(client_for, external_auditor, staff):
    assert _results(client_for(external_auditor), "users", q="Sam") == []


def test_at_most_twenty_in_a_constant_number_of_queries(client_for, quality_manager):
    c = client_for(quality_manager)
    _results(c, "users", q="warm")  # the first request of a session loads what later ones reuse
    UserFactory.create_batch(3, full_name="Batch Person")
    with CaptureQueriesContext(connection) as few:
        assert len(_results(c, "users", q="batch")) == 3
    UserFactory.create_batch(30, full_name="Batch Person")
    with CaptureQueriesContext(connection) as many:
        assert len(_results(c, "users", q="batch")) == widgets.RESULTS_MAX
    assert len(many) == len(few)


@pytest.mark.parametrize("name", ["documents", "records"])
def test_documents_and_records_take_constant_queries(client_for, quality_manager, author, approver, staff, name):
    c = client_for(quality_manager)
    record_type = make_type("CAL", verification_required=False)
    make_effective(author, approver, title="Gauge one")
    make_record(staff, record_type)
    _results(c, name, q="warm")
    with CaptureQueriesContext(connection) as few:
        _results(c, name, q="")
    for i in range(5):
        make_effective(author, approver, title=f"Gauge {i}")
        make_record(staff, record_type)
    with CaptureQueriesContext(connection) as many:
        assert len(_results(c, name, q="")) >= 6
    assert len(many) == len(few)


def test_documents_follow_who_may_see_them(client_for, author, approver, staff):
    effective = make_effective(author, approver, title="Gauge calibration")
    draft = make_draft(author, title="Gauge draft")
    seen = {r["text"] for r in _results(client_for(staff), "documents", q="gauge")}
    assert seen == {str(effective)}  # staff see no one else's draft
    assert {r["text"] for r in _results(client_for(author), "documents", q="gauge")} == {str(effective), str(draft)}
    # A form that names documents by number gets numbers.
    assert _results(client_for(staff), "documents", q="gauge", v="number") == [
        {"value": effective.number, "text": str(effective)}]


def test_records_follow_who_may_read_them(client_for, staff, author, quality_manager):
    record_type = make_type("CAL", verification_required=False)
    own = make_record(staff, record_type)
    other = make_record(author, record_type)
    assert [r["text"] for r in _results(client_for(staff), "records", q="")] == [own.number]
    assert {r["text"] for r in _results(client_for(quality_manager), "records", q="")} == {own.number, other.number}


def test_an_external_auditor_sees_only_the_scope(client_for, external_auditor, author, approver, staff):
    access = external_auditor.auditor_access
    access.all_scope = False
    access.save()
    access.clauses.set([Clause.objects.get(number="7.1.5")])
    inside = make_effective(author, approver, title="Gauge inside", clauses=[Clause.objects.get(number="7.1.5.1")])
    make_effective(author, approver, title="Gauge outside", clauses=[Clause.objects.get(number="7.2")])
    cal = make_type("CAL", verification_required=False)
    cal.clauses.set([Clause.objects.get(number="7.1.5.1")])
    trn = make_type("TRN", verification_required=False)
    trn.clauses.set([Clause.objects.get(number="7.2")])
    rec_in = make_record(staff, cal)
    make_record(staff, trn)
    c = client_for(external_auditor)
    assert [r["text"] for r in _results(c, "documents", q="gauge")] == [str(inside)]
    assert [r["text"] for r in _results(c, "records", q="")] == [rec_in.number]


@pytest.mark.parametrize(("path", "status"), [
    ("/pick/nothing/?q=a", 404), ("/pick/users/?v=password", 400), ("/pick/users/?q=" + "x" * 101, 400),
    ("/pick/users/?q=%00", 400),
])
def test_bad_requests_say_why(client_for, quality_manager, path, status):
    assert client_for(quality_manager).get(path).status_code == status


# ---------------------------------------------------------------- the widget
class _PeopleForm(BootstrapForm):
    owner = forms.ModelChoiceField(queryset=User.objects.filter(username__startswith="cap").order_by("username"))
    team = forms.ModelMultipleChoiceField(queryset=User.objects.filter(username__startswith="cap"), required=False)
    groups = forms.ModelMultipleChoiceField(queryset=Group.objects.all(), required=False)
    radios = forms.ModelChoiceField(queryset=Group.objects.all(), widget=forms.RadioSelect, required=False)


def test_a_large_set_lists_the_first_ones_plus_the_chosen_and_says_there_are_more(settings):
    settings.PICKER_INLINE_MAX = 3
    people = [UserFactory(username=f"cap{i:02}") for i in range(6)]
    html = str(_PeopleForm(data={"owner": people[5].pk, "team": [people[4].pk]})["owner"])
    values = re.findall(r'<option value="(\d+)"', html)
    assert values == [str(p.pk) for p in (*people[:3], people[5])]
    assert 'data-picker-url="/pick/users/"' in html and "type to search" in html
    assert "data-picker-more" in html and "disabled" in html
    team = str(_PeopleForm(data={"team": [people[4].pk]})["team"])
    assert f'<option value="{people[4].pk}" selected>' in team


def test_a_small_set_lists_everything_and_the_form_works_without_javascript(settings):
    settings.PICKER_INLINE_MAX = 100
    people = [UserFactory(username=f"cap{i:02}") for i in range(6)]
    form = _PeopleForm(data={"owner": people[5].pk, "team": [people[0].pk, people[1].pk]})
    assert len(re.findall(r'<option value="\d+"', str(form["owner"]))) == 6
    assert "data-picker-more" not in str(form["owner"])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["owner"] == people[5]
    assert form.cleaned_data["team"].count() == 2
    # Groups: all in the page, searchable in place; radios stay radios.
    assert widgets.is_picker(form.fields["groups"].widget)
    assert "data-picker-url" not in form.fields["groups"].widget.attrs
    assert not widgets.is_picker(form.fields["radios"].widget)


def test_a_posted_value_that_is_no_id_is_a_form_error(settings):
    settings.PICKER_INLINE_MAX = 0  # every posted value is looked up for the page
    form = _PeopleForm(data={"owner": "abc", "team": ["x", "1e9", str(10**30), "-0", "\x00"]})
    str(form["owner"]), str(form["team"])  # renders despite the nonsense
    assert not form.is_valid() and "owner" in form.errors and "team" in form.errors


# ---------------------------------------------------------------- every form uses it
def _forms_in(response):
    seen = []

    def take(value):
        if isinstance(value, forms.BaseForm):
            seen.append(value)
        elif isinstance(value, forms.BaseFormSet):
            seen.extend(value.forms)
            seen.append(value.empty_form)
        elif isinstance(value, list | tuple):
            for v in value[:50]:
                if isinstance(v, forms.BaseForm | forms.BaseFormSet):
                    take(v)
        elif isinstance(value, dict):
            for v in list(value.values())[:50]:
                if isinstance(v, forms.BaseForm | forms.BaseFormSet):
                    take(v)

    for context in response.context or []:
        for d in getattr(context, "dicts", [context]):
            for v in dict(d).values():
                take(v)
    return seen


def test_every_form_field_picking_people_groups_clauses_documents_or_records_is_searchable(
        client_for, quality_manager, author, approver, staff, auditor, external_auditor):
    from tests.qms.test_fuzz_forms import _pages, _world

    w, extra = _world(quality_manager, author, approver, staff, auditor, external_auditor)
    models = widgets.picker_models()
    assert {m._meta.label for m in models} >= {"qms.User", "auth.Group", "qms.Clause", "documents.Document",
                                                 "records.Record"}
    checked, missed = set(), set()
    for persona in (quality_manager, author):
        c = client_for(persona)
        for path in dict.fromkeys(_pages(w, extra)):
            response = c.get(path)
            if response.status_code != 200 or response.streaming:
                continue
            for form in _forms_in(response):
                for name, field in form.fields.items():
                    if not isinstance(field, forms.ModelChoiceField) or field.queryset is None:
                        continue
                    if not issubclass(field.queryset.model, models):
                        continue
                    if isinstance(field.widget, forms.HiddenInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
                        continue  # not a select: nothing to search
                    key = f"{type(form).__module__}.{type(form).__name__}.{DIGITS.sub('N', name)}"
                    (checked if widgets.is_picker(field.widget) else missed).add(key)
    assert missed == set()
    assert len(checked) >= 15, sorted(checked)  # the walk reached the forms (not vacuous)
