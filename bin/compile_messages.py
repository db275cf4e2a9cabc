#!/usr/bin/env python3
"""Compile every locale/*/LC_MESSAGES/django.po into its .mo with polib (issue 20).

Django's compilemessages needs GNU gettext's msgfmt, a system package a
newcomer may not have; polib is pure Python and in requirements.txt. The .mo
files are build output (.gitignore): `make install` and the test session run
this. A catalogue is compiled again only when its .po is newer than its .mo.
Fuzzy entries are left out, as msgfmt leaves them out.

    .venv/bin/python bin/compile_messages.py [--force]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def compile_all(root: Path = ROOT, *, force: bool = False) -> list[Path]:
    """Compile the project's catalogues; returns the .mo files written."""
    written = []
    for po_path in sorted((root / "locale").glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalogue = polib.pofile(str(po_path))
        for entry in catalogue.fuzzy_entries():
            catalogue.remove(entry)
        # Written aside and renamed: a running server (or a parallel test worker) never reads half a file.
        tmp = mo_path.with_name(f"{mo_path.name}.{os.getpid()}.tmp")
        catalogue.save_as_mofile(str(tmp))
        tmp.replace(mo_path)
        written.append(mo_path)
    return written


if __name__ == "__main__":
    done = compile_all(force="--force" in sys.argv[1:])
    for path in done:
        print(f"compiled {path.relative_to(ROOT)}")
