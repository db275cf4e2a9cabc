"""The API's resources, one module per app: `api/resources/<app label>.py`.

Each module registers its viewsets with `register(prefix, viewset, basename)`.
api/urls.py imports the module of every installed app that has one, so an app
that lands later (training, suppliers, ...) joins the API by adding one small
module here, without touching the others or the URLconf.
"""

from __future__ import annotations

import importlib

from django.apps import apps

_REGISTERED: list[tuple[str, type, str]] = []


def register(prefix: str, viewset, basename: str) -> None:
    if any(b == basename for _, _, b in _REGISTERED):
        return  # a module imported twice registers once
    _REGISTERED.append((prefix, viewset, basename))


def registered() -> list[tuple[str, type, str]]:
    """Every (prefix, viewset, basename), after loading the resource modules of the installed apps."""
    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"api.resources.{config.label}")
        except ModuleNotFoundError as e:
            if e.name != f"api.resources.{config.label}":
                raise
    return list(_REGISTERED)
