"""The record of which tests touch stored files (tests/storage_use.py), from which
CI's object-storage pass picks the tests it runs again on S3: a test that saves
or reads a file is listed, one that touches none is not."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COVER = runpy.run_path(str(ROOT / "bin" / "storage_cover.py"))

SAMPLE = '''
from django.conf import settings

settings.configure()

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage


def test_saves_a_file(tmp_path):
    FileSystemStorage(location=tmp_path).save("a.txt", ContentFile(b"x"))


def test_reads_a_file(tmp_path):
    (tmp_path / "b.txt").write_bytes(b"y")
    with FileSystemStorage(location=tmp_path).open("b.txt") as f:
        assert f.read() == b"y"


def test_touches_no_file():
    assert sum([1, 2]) == 3


def test_stores_through_the_products_code(tmp_path):
    from app_sample import store

    store(FileSystemStorage(location=tmp_path))
'''

PRODUCT = '''
from django.core.files.base import ContentFile


def store(storage):
    storage.save("c.txt", ContentFile(b"z"))
'''


def test_the_main_pass_lists_exactly_the_tests_that_touched_stored_files_and_through_which_code(tmp_path):
    _run_sample(tmp_path)
    log = tmp_path / "log"
    listed = sorted(line.rsplit("::", 1)[1] for line in (log / "main.txt").read_text().splitlines())
    assert listed == ["test_reads_a_file", "test_saves_a_file", "test_stores_through_the_products_code"]
    sites = COVER["read_sites"]((log / "main.sites.tsv").read_text().splitlines())
    by_name = {node.rsplit("::", 1)[1]: found for node, found in sites.items()}
    assert by_name["test_saves_a_file"] == {"test-only"}  # the test stored the file itself
    # Storage.save asks exists() for a free name, then _save()s: both from the same line of the product
    assert by_name["test_stores_through_the_products_code"] == {"_save<app_sample.py:6", "exists<app_sample.py:6"}
    assert COVER["cover"](sites) == [next(n for n in sites if n.endswith("test_stores_through_the_products_code"))]


def test_the_cover_keeps_worker_tests_then_the_fewest_tests_that_reach_every_site():
    sites = {
        "t::a": {"_save<x.py:1", "_open<x.py:2"},
        "t::b": {"_save<x.py:1"},
        "t::c": {"_open<x.py:2", "delete<y.py:9"},
        "t::d": {"delete<y.py:9"},
        "t::e": {"exists<z.py:3", "worker"},
        "t::f": {"test-only"},
        "e2e::g": {"size<w.py:4"},
    }
    assert COVER["cover"](sites, skip=("e2e::",)) == ["t::e", "t::a", "t::c"]
    # every site some test reached is reached by the chosen ones
    chosen = COVER["cover"](sites)
    assert set().union(*(sites[n] for n in chosen)) >= set().union(*sites.values()) - {"test-only"}


def _run_sample(tmp_path):
    """The sample tests run in a project of their own: `app_sample.py` its code, `tests/` its tests."""
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_sample.py").write_text(SAMPLE)
    (project / "app_sample.py").write_text(PRODUCT)
    (project / "pytest.ini").write_text("[pytest]\n")
    log = tmp_path / "log"
    log.mkdir()
    env = {**os.environ, "QMS_STORAGE_USE_LOG": str(log), "QMS_STORAGE_USE_ROOT": str(project),
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(project)])}
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:django", "-p", "no:cacheprovider", "-p", "tests.storage_use",
         "-c", str(project / "pytest.ini"), str(project / "tests" / "test_sample.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
