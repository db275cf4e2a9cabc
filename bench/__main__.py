"""`make bench` runs every group; `make bench ONLY=documents` runs one.

A group is a module `bench/<group>.py` with a `run(emit)` function; it seeds
its own data in a dedicated database and calls `emit(name, value, unit)` for
each figure, printed as `name: value unit`.
"""

import argparse
import importlib
import os
import pkgutil
import sys
from pathlib import Path

GROUPS_ORDER = ["documents", "pdf", "records", "audits", "auditor", "jobs", "planning", "people"]
# Modules that run as parts of a group (the issues name the figures by group):
# `ONLY=planning` also prints the feedback log and the review pack, `ONLY=people`
# the supplier and equipment lists, `ONLY=intake` the OCR throughput. Each part is
# still runnable alone (`ONLY=reviews`, `ONLY=ocr`).
PARTS = {"planning": ["reviews"], "people": ["suppliers_equipment"], "intake": ["ocr"]}


def _collect_static() -> None:
    """With DEBUG off (qms.settings_bench) pages read their assets from the
    manifest, as in production: collect them (only changed files are copied)."""
    from django.conf import settings
    from django.core.management import call_command

    if not settings.DEBUG:
        call_command("collectstatic", interactive=False, verbosity=0)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings_bench")
    import django

    django.setup()
    _collect_static()
    here = Path(__file__).parent
    found = [m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_") and m.name != "common"]
    parts = {p for ps in PARTS.values() for p in ps}
    groups = sorted((g for g in found if g not in parts),
                    key=lambda g: (GROUPS_ORDER.index(g) if g in GROUPS_ORDER else 99, g))
    if args.only:
        if args.only not in found:
            print(f"unknown group {args.only!r}; groups: {', '.join(groups)}", file=sys.stderr)
            return 2
        groups = [args.only]

    def emit(name: str, value, unit: str = "") -> None:
        value = f"{value:.1f}" if isinstance(value, float) else value
        print(f"{name}: {value} {unit}".rstrip(), flush=True)

    for group in groups:
        for module in [group, *PARTS.get(group, [])]:
            if module in found:
                importlib.import_module(f"bench.{module}").run(emit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
