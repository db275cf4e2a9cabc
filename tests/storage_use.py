"""Which tests store or read a file, and through which code: the object-storage pass runs those again.

With QMS_STORAGE_USE_LOG naming a folder (.ci/run sets it for `make test`),
every test during which the local file storage saved, opened, listed, sized,
checked or deleted a file has its node id appended to `<folder>/<worker>.txt`,
and each distinct way it did so to `<folder>/<worker>.sites.tsv` as
`node id <TAB> site`. A site is the storage method with the two innermost
frames of the project's own code that called it (not the tests', not the
libraries'), e.g. `_save<qms/uploads.py:88<records/services.py:412`; a test
whose storage use has no project frame (it wrote a fixture file itself) gets
the site `test-only`. Tests that start a real Celery worker are marked
`worker`: the worker's own storage calls happen in another process, unseen here.
bin/storage_cover.py picks from these the tests the S3 pass runs.
Without the variable nothing is patched and nothing is written.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import pytest

_LOG = os.environ.get("QMS_STORAGE_USE_LOG", "")
_METHODS = ("_save", "_open", "delete", "exists", "size", "listdir")
# the project's folder (its own test sets another)
_ROOT = str(Path(os.environ.get("QMS_STORAGE_USE_ROOT") or Path(__file__).resolve().parent.parent)) + os.sep
_OWN = (_ROOT + "tests" + os.sep, _ROOT + ".venv" + os.sep)
_touched = [False]
_sites: set[str] = set()


def _site(method: str) -> str:
    frames = []
    frame = sys._getframe(2)
    while frame is not None and len(frames) < 2:
        name = frame.f_code.co_filename
        if name.startswith(_ROOT) and not name.startswith(_OWN):
            frames.append(f"{name[len(_ROOT):]}:{frame.f_lineno}")
        frame = frame.f_back
    return "<".join([method, *frames]) if frames else "test-only"


def _flagging(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        _touched[0] = True
        _sites.add(_site(method.__name__))
        return method(*args, **kwargs)

    return wrapper


def pytest_configure(config):
    if not _LOG:
        return
    from django.core.files.storage import FileSystemStorage

    for name in _METHODS:
        setattr(FileSystemStorage, name, _flagging(getattr(FileSystemStorage, name)))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _touched[0] = False
    _sites.clear()
    yield
    if _LOG and _touched[0]:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(Path(_LOG) / f"{worker}.txt", "a", encoding="utf-8") as log:
            log.write(item.nodeid + "\n")
        sites = sorted(_sites) + (["worker"] if item.get_closest_marker("celery_worker") else [])
        with open(Path(_LOG) / f"{worker}.sites.tsv", "a", encoding="utf-8") as log:
            log.writelines(f"{item.nodeid}\t{site}\n" for site in sites)
