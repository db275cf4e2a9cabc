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

GROUPS_ORDER = ["documents", "pdf", "records", "audits", "auditor", "jobs", "planning", "reviews", "people"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings_bench")
    import django

    django.setup()
    here = Path(__file__).parent
    found = [m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_") and m.name != "common"]
    groups = sorted(found, key=lambda g: (GROUPS_ORDER.index(g) if g in GROUPS_ORDER else 99, g))
    if args.only:
        if args.only not in groups:
            print(f"unknown group {args.only!r}; groups: {', '.join(groups)}", file=sys.stderr)
            return 2
        groups = [args.only]

    def emit(name: str, value, unit: str = "") -> None:
        value = f"{value:.1f}" if isinstance(value, float) else value
        print(f"{name}: {value} {unit}".rstrip(), flush=True)

    for group in groups:
        importlib.import_module(f"bench.{group}").run(emit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
