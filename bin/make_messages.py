#!/usr/bin/env python3
"""Bring every catalogue (locale/<lang>/LC_MESSAGES/django.po) up to the sources (issue 20).

Runs Django's makemessages for the five languages over the apps, the core and
the templates (not tests, benchmarks, docs or build output), without source
locations so a moved line changes no catalogue. New strings arrive with an
empty msgstr; strings no longer in the sources are dropped (no obsolete
entries). tests/qms/test_i18n.py checks the catalogues against the same run.
Needs GNU gettext (xgettext, msgmerge: Debian's gettext package).

    DEBUG=True .venv/bin/python bin/make_messages.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ["de", "fr", "es", "pt_BR", "zh_Hans"]
IGNORE = ["tests", "bench", "docs", "deploy", "static", "media", "staticfiles", "staticfiles-bench", "test-artifacts", "locale", ".venv"]


def make_messages(locales=LOCALES, *, cwd: Path = ROOT) -> None:
    from django.core.management import call_command

    here = os.getcwd()
    os.chdir(cwd)
    try:
        call_command("makemessages", locale=list(locales), no_location=True, no_obsolete=True, symlinks=True,
                     ignore_patterns=IGNORE, verbosity=0)
    finally:
        os.chdir(here)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")
    import django

    django.setup()
    make_messages()
    print("catalogues updated: " + ", ".join(f"locale/{code}/LC_MESSAGES/django.po" for code in LOCALES))
