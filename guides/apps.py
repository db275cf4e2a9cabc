from django.apps import AppConfig


class GuidesConfig(AppConfig):
    """The user guides of docs/ served by the app itself (/help/), so they work
    offline, behind an intranet firewall and at the version actually installed."""

    name = "guides"
    verbose_name = "User guides"
    # The guides of docs/ (login required, like every page).
    urls = (("help/", "guides.urls"),)
