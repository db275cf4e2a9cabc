"""Backup and restore (issue 21): bin/backup.sh dumps the database and the
stored files; bin/restore.sh rebuilds a site from them into an empty database
and folder, and `verify_files` finds every file with its recorded hash."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.celery_utils import _db_url, require_services
from tests.records.factories import make_record, make_type, pdf_upload

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_a_site_is_rebuilt_from_its_backup_and_every_file_checks_out(staff, tmp_path, settings):
    require_services()
    from tests.factories import ensure_reference_data

    ensure_reference_data()
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = str(media)
    record = make_record(staff, make_type("CAL"), evidence=[pdf_upload("a.pdf"), pdf_upload("b.pdf")])
    backup = tmp_path / "backup"
    env = {**os.environ, "DATABASE_URL": _db_url(), "MEDIA_ROOT": str(media), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    env.pop("AWS_STORAGE_BUCKET_NAME", None)
    subprocess.run([str(ROOT / "bin/backup.sh"), str(backup)], check=True, env=env, cwd=ROOT, capture_output=True)
    dump = next(backup.glob("qms-*.dump"))
    files = next(backup.glob("files-*.tar"))

    name = f"qms_restore_{uuid.uuid4().hex[:8]}"
    restored = _db_url().rsplit("/", 1)[0] + "/" + name
    with connection.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        target = tmp_path / "restored-media"
        renv = {**env, "DATABASE_URL": restored, "MEDIA_ROOT": str(target), "QMS_TEST_MEDIA_ROOT": str(target),
                "DJANGO_SETTINGS_MODULE": "qms.settings_test"}
        done = subprocess.run([str(ROOT / "bin/restore.sh"), str(dump), str(files)], env=renv, cwd=ROOT,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        assert "2 files checked, 0 problem(s)." in done.stdout
        # A file changed after the restore is caught by the same check.
        ev = record.evidence.order_by("pk").first()
        (target / ev.file).write_bytes(b"%PDF-1.4 not what was stored")
        check = subprocess.run([sys.executable, "manage.py", "verify_files"], env=renv, cwd=ROOT,
                               capture_output=True, text=True)
        assert check.returncode != 0 and f"CHANGED: records.evidence #{ev.pk}" in check.stdout.replace("Evidence", "evidence")
    finally:
        with connection.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
