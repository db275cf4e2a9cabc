"""Which tests store or read a file: the object-storage pass runs exactly those again.

With QMS_STORAGE_USE_LOG naming a folder (.ci/run sets it for `make test`),
every test during which the local file storage saved, opened, listed, sized,
checked or deleted a file has its node id appended to `<folder>/<worker>.txt`.
bin/s3_file_tests.sh then runs those node ids with S3 storage instead of
guessing from the tests' source which ones touch files. Without the variable
nothing is patched and nothing is written.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

_LOG = os.environ.get("QMS_STORAGE_USE_LOG", "")
_METHODS = ("_save", "_open", "delete", "exists", "size", "listdir")
_touched = [False]


def _flagging(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        _touched[0] = True
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
    yield
    if _LOG and _touched[0]:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(Path(_LOG) / f"{worker}.txt", "a", encoding="utf-8") as log:
            log.write(item.nodeid + "\n")
