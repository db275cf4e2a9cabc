#!/usr/bin/env python3
"""The tests CI's object-storage pass runs: a smallest set that still reaches every site.

Reads the `<node id> TAB <site>` lines tests/storage_use.py wrote during the
main pass (files given as arguments) and prints node ids, one per line:
- every test marked `worker` (a real Celery worker stores files in its own
  process, where no site is seen), and
- then, greedily, the test that reaches the most sites not yet reached (ties:
  the first node id), until every site is reached once. `test-only` is not a
  site of the product (the test stored a file itself) and is not sought.
Node ids matching a --skip pattern (a substring) are left out first.

    bin/storage_cover.py [--skip PATTERN ...] LOG.sites.tsv ...
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict


def read_sites(lines) -> dict[str, set[str]]:
    sites: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        node, _, site = line.rstrip("\n").partition("\t")
        if node and site:
            sites[node].add(site)
    return dict(sites)


def cover(sites: dict[str, set[str]], *, skip: tuple[str, ...] = ()) -> list[str]:
    tests = {node: found - {"test-only"} for node, found in sites.items() if not any(p in node for p in skip)}
    chosen = sorted(node for node, found in tests.items() if "worker" in found)
    reached = set().union(*(tests[node] for node in chosen)) if chosen else set()
    wanted = set().union(*tests.values()) - {"worker"} if tests else set()
    while not wanted <= reached:
        best = min((node for node in tests if node not in chosen), key=lambda n: (-len(tests[n] - reached), n))
        chosen.append(best)
        reached |= tests[best]
    return chosen


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip", action="append", default=[])
    parser.add_argument("logs", nargs="+")
    args = parser.parse_args(argv)
    lines = []
    for name in args.logs:
        with open(name, encoding="utf-8") as fh:
            lines.extend(fh)
    for node in cover(read_sites(lines), skip=tuple(args.skip)):
        print(node)
    return 0


if __name__ == "__main__":
    sys.exit(main())
