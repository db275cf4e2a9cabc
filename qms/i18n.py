"""The QMS in the user's language and time zone (issue 20).

Language: LocaleMiddleware reads the browser's Accept-Language (the login page
follows it); for a signed-in user who chose one, UserPreferencesMiddleware
activates `User.language` instead. No URL carries a language.

Time zone: the site's TIME_ZONE stays the rule for effective and due dates
(services call timezone.localdate() and must get the site's date whoever
asks), so a user's `User.time_zone` moves only what pages display: the
template backend below renders with that zone active, and nothing else does.
"""

from __future__ import annotations

import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.backends.django import DjangoTemplates, Template, reraise
from django.template.exceptions import TemplateDoesNotExist
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


@functools.cache
def in_sentence(label) -> str:
    """A label (a status, a kind) inside a sentence: its first letter lower case,
    unless the label starts with an acronym. "Out of service" → "out of service",
    German "Außer Betrieb" → "außer Betrieb" (its noun keeps its capital, which
    `.lower()` took), Chinese unchanged. Template filter: `|in_sentence`."""
    text = str(label)
    if not text or (len(text) > 1 and text[1].isupper()):
        return text
    return text[0].lower() + text[1:]


@functools.cache
def time_zone_names() -> frozenset[str]:
    """Every zone name tzdata knows (read once: it walks the zone files on disk)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value and value not in time_zone_names():
        raise ValidationError(_("“%(value)s” is not a time zone name (e.g. Europe/Berlin)."),
                              code="invalid_time_zone", params={"value": value[:64]})


def language_codes() -> frozenset[str]:
    return frozenset(code for code, _name in settings.LANGUAGES)


def zone_of(user) -> zoneinfo.ZoneInfo | None:
    """The user's own zone, or None for the site's (also for a name tzdata no longer has)."""
    name = getattr(user, "time_zone", "") if getattr(user, "is_authenticated", False) else ""
    if not name or name not in time_zone_names():
        return None
    return zoneinfo.ZoneInfo(name)


class UserPreferencesMiddleware:
    """After AuthenticationMiddleware: the signed-in user's language wins over
    the browser's; their time zone is kept on the request for the templates."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        activate_user_language(request, user)
        request.user_time_zone = zone_of(user)
        return self.get_response(request)


def activate_user_language(request, user) -> None:
    """The user's own language, if they chose one; else the request keeps the
    browser's (LocaleMiddleware). Also called by the API once a token request's
    user is known (api.base.ApiViewMixin), which no middleware sees."""
    language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
    if language in language_codes():
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# ------------------------------------------------------------------ templates in the user's zone
class _ZonedTemplate(Template):
    def render(self, context=None, request=None):
        zone = getattr(request, "user_time_zone", None)
        if zone is None:
            return super().render(context, request)
        with timezone.override(zone):
            return super().render(context, request)


class Templates(DjangoTemplates):
    """Django's template backend, rendering a request's page in the user's own
    time zone (request.user_time_zone). PDFs, e-mails and tasks render without
    a request: they keep the site's zone."""

    def from_string(self, template_code):
        return _ZonedTemplate(self.engine.from_string(template_code), self)

    def get_template(self, template_name):
        try:
            return _ZonedTemplate(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            reraise(exc, self)


# ------------------------------------------------------------------ the user's choice
@transaction.atomic
def set_preferences(*, actor, language: str | None = None, time_zone: str | None = None) -> None:
    """Store the actor's own language and/or time zone (None: keep). Nothing
    else changes: no URL, no QMS data; the user's history keeps the change."""
    fields = []
    if language is not None:
        if language and language not in language_codes():
            raise ValidationError(_("Unknown language."), code="invalid_language")
        actor.language = language
        fields.append("language")
    if time_zone is not None:
        validate_time_zone(time_zone)
        actor.time_zone = time_zone
        fields.append("time_zone")
    if not fields:
        return
    actor._history_user = actor
    actor._change_reason = "Own language or time zone changed"
    actor.save(update_fields=fields)
