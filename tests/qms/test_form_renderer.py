"""The site's form renderer writes selects in Python (qms/form_renderer.py):
its markup must be exactly what Django's templates write, for every kind of select."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy

from qms.form_renderer import FormRenderer

TEMPLATES = DjangoTemplates()


def _both(form, name):
    form.renderer = FormRenderer()
    ours = str(form[name])
    form.renderer = TEMPLATES
    return ours, str(form[name])


class Every(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "Alpha"), ("b", "Bravo & <b>\"Charlie\"</b> 'd'")])
    numbers = forms.TypedChoiceField(choices=[(1, 1), (2, 22222), (3, gettext_lazy("Lazy"))], coerce=int)
    grouped = forms.ChoiceField(choices=[("", "---------"), ("Fruit", [("ap", "Apple"), ("pe", "Pear")]),
                                         ("Veg <x>", [("le", "Leek")]), ("z", "Zed")])
    many = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two"), ("3", "Three")])
    flagged = forms.ChoiceField(choices=[("x", "X")], widget=forms.Select(
        attrs={"data-picker": "", "disabled": True, "hidden": False, "data-q": 'a"b<c', "class": "form-select"}))
    empty = forms.ChoiceField(choices=[])


@pytest.mark.parametrize("data", [{}, {"plain": "b", "numbers": "2", "grouped": "pe", "many": ["1", "3"], "flagged": "x"},
                                  {"plain": "nope", "grouped": "<script>", "many": ["9"]}])
def test_every_select_is_written_as_djangos_template_writes_it(data):
    form = Every(data or None)
    form.is_valid()
    for name in form.fields:
        ours, theirs = _both(form, name)
        assert ours == theirs, name


@pytest.mark.django_db
def test_the_registers_filter_selects_are_the_same_with_either_renderer(quality_manager, client_for):
    """A real form with the picker's extra option (disabled, "more are not listed")."""
    from django.test import override_settings

    from documents.forms import RegisterFilterForm
    from qms.forms import UserChoice
    from tests.factories import UserFactory

    for i in range(4):
        UserFactory(username=f"person{i}", full_name=f"Person <{i}> & co")
    with override_settings(PICKER_INLINE_MAX=2):
        form = RegisterFilterForm({"q": "x", "owner": str(quality_manager.pk)})
        form.is_valid()
        assert isinstance(form.fields["owner"], UserChoice)
        for name in form.fields:
            ours, theirs = _both(form, name)
            assert ours == theirs, name
        assert "data-picker-more" in _both(form, "owner")[0]
    page = client_for(quality_manager).get("/documents/?q=x")
    assert page.status_code == 200 and b'<select name="owner"' in page.content
