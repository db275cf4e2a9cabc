"""The record of which tests touch stored files (tests/storage_use.py), from which
CI's object-storage pass picks the tests it runs again on S3: a test that saves
or reads a file is listed, one that touches none is not."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

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
'''


def test_the_main_pass_lists_exactly_the_tests_that_touched_stored_files(tmp_path):
    (tmp_path / "sample").mkdir()
    (tmp_path / "sample" / "test_sample.py").write_text(SAMPLE)
    (tmp_path / "sample" / "pytest.ini").write_text("[pytest]\n")
    log = tmp_path / "log"
    log.mkdir()
    env = {**os.environ, "QMS_STORAGE_USE_LOG": str(log), "PYTHONPATH": str(ROOT)}
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:django", "-p", "no:cacheprovider", "-p", "tests.storage_use",
         "-c", str(tmp_path / "sample" / "pytest.ini"), str(tmp_path / "sample" / "test_sample.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = sorted(line.rsplit("::", 1)[1] for line in (log / "main.txt").read_text().splitlines())
    assert listed == ["test_reads_a_file", "test_saves_a_file"]
