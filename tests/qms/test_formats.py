"""Dates in the user's language (issue 20): the date pickers always get ISO 8601,
whatever the language, so an edit page saved as shown keeps its dates; pages
show short dates in the language's own form."""

import re
from datetime import date, datetime

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation

from planning.models import Objective
from tests.planning.factories import make_objective
from tests.qms.formwalk import post_forms

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")
CODES = [code for code, _ in settings.LANGUAGES]


@pytest.mark.parametrize("code", CODES)
def test_date_pickers_get_iso_values_in_every_language(code):
    with translation.override(code):
        day = forms.DateInput(attrs={"type": "date"}).format_value(date(2026, 12, 3))
        moment = forms.DateTimeInput(attrs={"type": "datetime-local"}).format_value(datetime(2026, 12, 3, 14, 5))
        # What the picker sends back is read in every language, and so is the language's own typed form.
        parsed = forms.DateField().clean("2026-12-03")
        parsed_moment = forms.DateTimeField().clean("2026-12-03T14:05")
    assert day == "2026-12-03"
    assert moment == "2026-12-03T14:05"
    assert parsed == date(2026, 12, 3) and parsed_moment.replace(tzinfo=None) == datetime(2026, 12, 3, 14, 5)


def test_each_language_reads_its_own_typed_dates_too():
    typed = {"de": "03.12.2026", "fr": "03/12/2026", "es": "03/12/2026", "pt-br": "03/12/2026",
             "zh-hans": "2026/12/03", "en-gb": "03/12/2026"}
    for code, text in typed.items():
        with translation.override(code):
            assert forms.DateField().clean(text) == date(2026, 12, 3), code


def test_short_dates_follow_the_language_and_english_keeps_iso():
    shown = {}
    for code in CODES:
        with translation.override(code):
            shown[code] = formats.date_format(date(2026, 12, 3), "SHORT_DATE_FORMAT")
    assert shown == {"en-gb": "2026-12-03", "de": "03.12.2026", "fr": "03/12/2026", "es": "03/12/2026",
                     "pt-br": "03/12/2026", "zh-hans": "2026-12-03"}


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["de", "en-gb", "zh-hans"])
def test_an_edit_page_saved_as_shown_keeps_its_dates(client_for, quality_manager, code):
    """What a user does: open the objective's edit page in their language and save it unchanged."""
    quality_manager.language = code
    quality_manager.save()
    objective = make_objective(quality_manager)
    before = (objective.start_date, objective.due_date)
    c = client_for(quality_manager)
    url = reverse("planning:objective-edit", args=[objective.pk])
    page = c.get(url)
    assert page.status_code == 200
    form = next(f for f in post_forms(page.content.decode(), url) if f.action == url)
    dates = {name: f.value for name, f in form.fields.items() if f.kind == "date"}
    assert dates and all(ISO_DATE.match(v) for v in dates.values()), dates
    data = {name: f.value for name, f in form.fields.items() if f.kind not in ("checkbox", "radio") or f.value}
    response = c.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    objective = Objective.objects.get(pk=objective.pk)
    assert (objective.start_date, objective.due_date) == before


def test_a_label_in_a_sentence_loses_only_its_first_capital():
    from django.template import engines

    from qms.i18n import in_sentence

    assert in_sentence("Out of service") == "out of service"
    assert in_sentence("Außer Betrieb") == "außer Betrieb"  # the German noun keeps its capital
    assert in_sentence("CAPA raised") == "CAPA raised" and in_sentence("已关闭") == "已关闭" and in_sentence("") == ""
    template = engines["django"].from_string("is now {{ label|in_sentence }}")
    assert template.render({"label": "Außer Betrieb"}) == "is now außer Betrieb"


@pytest.mark.django_db
def test_pages_show_dates_in_the_users_language(client_for, quality_manager):
    """The objectives list shows each due date in the reader's short form: ISO for
    British English (as the QMS always has), day first with dots in German."""
    objective = make_objective(quality_manager)
    due = objective.due_date
    c = client_for(quality_manager)
    english = c.get(reverse("planning:objectives")).content.decode()
    assert due.isoformat() in english
    quality_manager.language = "de"
    quality_manager.save()
    german = c.get(reverse("planning:objectives")).content.decode()
    assert f"{due:%d.%m.%Y}" in german and due.isoformat() not in german
