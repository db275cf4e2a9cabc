"""The QMS in the user's language and time zone (issue 20): the catalogues,
the language per user and per browser, the switch, and times in the user's zone."""

from __future__ import annotations

import os
import runpy
import shutil
import zoneinfo
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation

from qms import i18n
from qms.models import Department, User
from records.form_rules import evaluate
from records.models import Record
from tests.records.factories import make_type

ROOT = Path(settings.BASE_DIR)
MAKE = runpy.run_path(str(ROOT / "bin" / "make_messages.py"))
LOCALES = MAKE["LOCALES"]  # de, fr, es, pt_BR, zh_Hans
DE_PO = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"
FIELDS = [
    {"key": "instrument_id", "label": "Instrument ID", "type": "text", "required": True},
    {"key": "deviation", "label": "Measured deviation", "type": "number", "required": True, "min": "-10", "max": "10"},
]


def _german(user):
    user.language = "de"
    user.save()
    return user


# ------------------------------------------------------------------ the catalogue
def _po(code):
    return ROOT / "locale" / code / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("code", LOCALES)
def test_catalogue_has_no_untranslated_or_fuzzy_entry(code):
    po = polib.pofile(str(_po(code)))
    assert po.metadata["Language"] == code
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert po.obsolete_entries() == []
    assert po.percent_translated() == 100
    for entry in po:  # a placeholder lost or renamed in translation is a KeyError at render time
        for flag in ("%(", "{"):
            if not entry.msgid_plural:  # a plural entry has no msgstr, only its forms
                assert sorted(_placeholders(entry.msgid, flag)) == sorted(_placeholders(entry.msgstr, flag)), entry.msgid
            for plural in entry.msgstr_plural.values():
                assert sorted(_placeholders(entry.msgid_plural, flag)) == sorted(_placeholders(plural, flag)), \
                    entry.msgid
        assert entry.msgstr.strip() or entry.msgstr_plural, entry.msgid


def _placeholders(text, start):
    out, i = [], text.find(start)
    while i != -1:
        end = text.find(")" if start == "%(" else "}", i)
        out.append(text[i:end + 1])
        i = text.find(start, end)
    return out


def test_catalogues_match_the_sources_exactly(tmp_path, settings):
    """Every msgid of each catalogue is still in the code, and every marked string is in each catalogue."""
    if shutil.which("xgettext") is None:
        if os.environ.get("QMS_REQUIRE_BROWSER") == "1":
            pytest.fail("xgettext not found: CI installs Debian's gettext (.ci/run)")
        pytest.skip("xgettext not found (Debian's gettext package)")
    # makemessages writes into a ./locale it finds, so it reads a tree of links to the
    # sources without one, and writes to a LOCALE_PATHS of its own.
    tree, out = tmp_path / "tree", tmp_path / "out"
    tree.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in MAKE["IGNORE"] and not entry.name.startswith("."):
            (tree / entry.name).symlink_to(entry)
    settings.LOCALE_PATHS = [str(out)]
    MAKE["make_messages"](LOCALES, cwd=tree)
    for code in LOCALES:
        fresh = {e.msgid for e in polib.pofile(str(out / code / "LC_MESSAGES" / "django.po")) if e.msgid}
        ours = {e.msgid for e in polib.pofile(str(_po(code))) if e.msgid}
        assert sorted(ours - fresh) == [], f"in the {code} catalogue but no longer in the sources"
        assert sorted(fresh - ours) == [], f"marked in the sources but missing from the {code} catalogue"


def test_the_compile_script_writes_catalogues_gettext_reads(tmp_path):
    target = tmp_path / "locale" / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(DE_PO, target / "django.po")
    compile_all = runpy.run_path(str(ROOT / "bin" / "compile_messages.py"))["compile_all"]
    assert compile_all(tmp_path) == [target / "django.mo"]
    assert compile_all(tmp_path) == []  # up to date: nothing written
    mo = polib.mofile(str(target / "django.mo"))
    assert mo.find("My tasks").msgstr == "Meine Aufgaben"
    assert (ROOT / "locale" / "de" / "LC_MESSAGES" / "django.mo").exists()  # the test session compiled ours


def test_languages_are_the_six_of_the_issue():
    assert [code for code, _ in settings.LANGUAGES] == ["en-gb", "de", "fr", "es", "pt-br", "zh-hans"]
    assert User._meta.get_field("language").choices == settings.LANGUAGES
    middleware = settings.MIDDLEWARE
    assert middleware.index("django.contrib.sessions.middleware.SessionMiddleware") < middleware.index(
        "django.middleware.locale.LocaleMiddleware") < middleware.index("django.middleware.common.CommonMiddleware")
    assert middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") < middleware.index(
        "qms.i18n.UserPreferencesMiddleware")


# ------------------------------------------------------------------ pages in German
def test_german_user_sees_the_german_dashboard(client, staff):
    client.force_login(_german(staff))
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in html
    assert "Meine Aufgaben" in html and "My tasks" not in html
    assert ">Aufzeichnungen</a>" in html and ">Abmelden</button>" in html
    # The apps' sections too (qms.dashboard providers), and the cache keeps one copy per language.
    assert "Dokumente zur Kenntnisnahme" in html and "Meine Aufzeichnungsentwürfe" in html
    assert "Documents to read and acknowledge" not in html


def test_cached_dashboard_is_kept_per_language(client, staff, settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "i18n"}}
    client.force_login(staff)
    assert "My draft records" in client.get("/").content.decode()
    assert "Meine Aufzeichnungsentwürfe" in client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "My draft records" in client.get("/").content.decode()


def test_german_user_reads_german_form_errors_on_the_record_submit_page(client, staff):
    make_type("CAL", name="Calibration record", fields=FIELDS)
    client.force_login(_german(staff))
    url = reverse("records:create", args=["CAL"])
    page = client.get(url).content.decode()
    assert "Einreichen (sperrt die Aufzeichnung)" in page and "Nachweisdateien" in page
    response = client.post(url, {"action": "submit", "instrument_id": "", "deviation": "12"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Dieses Feld ist zwingend erforderlich." in html  # Django's own German for a required field
    assert "Dieser Wert muss kleiner oder gleich 10 sein." in html
    assert "This field is required." not in html
    response = client.post(url, {"action": "submit", "instrument_id": "MIC-01", "deviation": "1,5"})
    assert "Geben Sie eine Zahl ein (Ziffern, wahlweise mit Dezimalpunkt und Vorzeichen), z. B. -1.25." in (
        response.content.decode())
    assert not Record.objects.exists()


def test_english_is_unchanged_for_a_user_without_a_language(client, staff):
    make_type("CAL", name="Calibration record", fields=FIELDS)
    client.force_login(staff)
    assert "My tasks" in client.get("/").content.decode()
    html = client.post(reverse("records:create", args=["CAL"]), {"action": "submit", "deviation": "1"}).content.decode()
    assert "This field is required." in html and "Submit (locks the record)" in html


def test_record_form_rules_speak_the_users_language():
    definitions = [
        {"key": "result", "label": "Ergebnis", "type": "choice", "choices": ["Pass", "Fail"]},
        {"key": "action", "label": "Maßnahme", "type": "text"},
        {"key": "low", "label": "Untergrenze", "type": "number"},
        {"key": "reading", "label": "Messwert", "type": "number"},
    ]
    rules = [{"kind": "required_if", "field": "action", "other": "result", "value": "Fail"},
             {"kind": "compare", "field": "reading", "op": "gte", "other": "low"}]
    cleaned = {"result": "Fail", "action": "", "low": 5, "reading": 3}
    with translation.override("de"):
        errors = evaluate(definitions, rules, cleaned)
    assert errors["action"] == ["„Maßnahme“ ist erforderlich, wenn „Ergebnis“ den Wert „Fail“ hat."]
    assert errors["reading"] == ["„Messwert“ muss mindestens „Untergrenze“ betragen (5)."]
    assert evaluate(definitions, rules, cleaned)["action"] == ["“Maßnahme” is required when “Ergebnis” is “Fail”."]


def test_login_page_follows_the_browsers_accept_language(client):
    german = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5").content.decode()
    assert "Benutzername" in german and "Passwort" in german and ">Anmelden</button>" in german
    assert '<html lang="de">' in german
    english = client.get("/accounts/login/").content.decode()
    assert "User name" in english and ">Log in</button>" in english
    unknown = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="tlh").content.decode()
    assert "User name" in unknown  # a language we do not ship: the site's default


def test_users_own_language_wins_over_the_browser(client, staff):
    staff.language = "en-gb"
    staff.save()
    client.force_login(staff)
    assert "My tasks" in client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    staff.language = ""
    staff.save()
    assert "Meine Aufgaben" in client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()  # blank: the browser


# ------------------------------------------------------------------ the switch
def test_language_switch_is_in_the_navigation(client, staff):
    client.force_login(staff)
    html = client.get("/").content.decode()
    assert f'action="{reverse("language-set")}"' in html and 'id="language-switch"' in html
    assert '<option value="de" lang="de">Deutsch</option>' in html


def test_switching_language_changes_no_url_and_no_other_data(client, staff, department):
    client.force_login(staff)
    urls = {name: reverse(name) for name in ("home", "records:index", "security")}
    events_before = _counts()
    response = client.post(reverse("language-set"), {"language": "de", "next": "/records/"})
    assert response.status_code == 302 and response["Location"] == "/records/"  # back to the same page
    staff.refresh_from_db()
    assert staff.language == "de"
    assert _counts() == events_before  # only the user's own row (and its history)
    assert staff.history.first().history_change_reason == "Own language or time zone changed"
    with translation.override("de"):
        assert {name: reverse(name) for name in urls} == urls
    assert "Meine Aufgaben" in client.get("/").content.decode()
    with pytest.raises(Resolver404):
        resolve("/de/")
    client.post(reverse("language-set"), {"language": "", "next": "/"})
    staff.refresh_from_db()
    assert staff.language == ""


def _counts():
    from qms.models import AuditEvent

    return AuditEvent.objects.count(), Department.objects.count(), Department.history.count()


@pytest.mark.parametrize("data", [{"language": "xx"}, {"language": "de\u202e"}, {"language": "DE-DE" * 400}, {}])
def test_bad_language_is_a_400_with_a_reason(client, staff, data):
    client.force_login(staff)
    response = client.post(reverse("language-set"), data)
    assert response.status_code == 400
    assert "Unknown language." in response.content.decode() or "Choose a language." in response.content.decode()
    staff.refresh_from_db()
    assert staff.language == ""


def test_language_switch_is_post_only_for_signed_in_users(client, staff):
    assert client.post(reverse("language-set"), {"language": "de"}).status_code == 302  # anonymous: to the login
    client.force_login(staff)
    assert client.get(reverse("language-set")).status_code == 405
    offsite = client.post(reverse("language-set"), {"language": "de", "next": "//evil.example/"})
    assert offsite["Location"] == reverse("home")


def test_language_switch_needs_the_csrf_token(staff):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.post(reverse("language-set"), {"language": "de"}).status_code == 403
    staff.refresh_from_db()
    assert staff.language == ""


def test_security_page_sets_language_and_time_zone(client, staff):
    client.force_login(staff)
    page = client.get(reverse("security")).content.decode()
    assert 'id="preferences"' in page and '<option value="Asia/Shanghai">' in page
    response = client.post(reverse("preferences"), {"language": "fr", "time_zone": "Asia/Shanghai"})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert (staff.language, staff.time_zone) == ("fr", "Asia/Shanghai")
    bad = client.post(reverse("preferences"), {"language": "fr", "time_zone": "Mars/Olympus_Mons"})
    assert bad.status_code == 400
    staff.refresh_from_db()
    assert staff.time_zone == "Asia/Shanghai"


def test_time_zone_names_are_validated_by_the_model(staff):
    from django.core.exceptions import ValidationError

    staff.time_zone = "Europe/Atlantis"
    with pytest.raises(ValidationError):
        staff.full_clean()
    with pytest.raises(ValidationError):
        i18n.set_preferences(actor=staff, time_zone="Not/AZone")


# ------------------------------------------------------------------ time zones
def test_audit_trail_shows_times_in_the_users_time_zone(client, quality_manager, department):
    from django.contrib.contenttypes.models import ContentType

    quality_manager.time_zone = "Asia/Shanghai"
    quality_manager.save()
    client.force_login(quality_manager)
    when = department.history.first().history_date
    url = reverse("object-trail", args=[ContentType.objects.get_for_model(Department).pk, department.pk])
    html = client.get(url).content.decode()
    shanghai = when.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert f"{shanghai:%Y-%m-%d %H:%M:%S} Asia/Shanghai" in html
    assert f"{when.astimezone(zoneinfo.ZoneInfo('UTC')):%Y-%m-%d %H:%M:%S} UTC" not in html
    assert "times are Asia/Shanghai unless stated" in html
    assert "Times are Asia/Shanghai." in client.get(reverse("session-list")).content.decode()  # labels say the zone
    quality_manager.time_zone = ""
    quality_manager.save()
    assert "times are UTC unless stated" in client.get(url).content.decode()  # the site's zone, as before


def test_the_users_zone_moves_the_display_only_not_the_business_date(staff):
    """Effective and due dates follow the site's TIME_ZONE: the view's code sees the site's
    zone, only the template renders in the user's."""
    staff.time_zone = "Asia/Shanghai"
    seen = {}

    def view(request):
        seen["view"] = timezone.get_current_timezone_name()
        template = engines["django"].from_string("{% load tz %}{% get_current_timezone as z %}{{ z }}")
        return HttpResponse(template.render({}, request))

    request = RequestFactory().get("/")
    request.user = staff
    response = i18n.UserPreferencesMiddleware(view)(request)
    assert seen["view"] == settings.TIME_ZONE
    assert response.content.decode() == "Asia/Shanghai"
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE


def test_a_zone_tzdata_no_longer_has_falls_back_to_the_sites(staff):
    staff.time_zone = "Gone/Away"
    assert i18n.zone_of(staff) is None


def test_administrator_sees_language_and_time_zone_of_a_user(client, staff):
    from tests.factories import UserFactory

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    html = client.get(reverse("admin:qms_user_change", args=[staff.pk])).content.decode()
    assert 'name="language"' in html and 'name="time_zone"' in html
