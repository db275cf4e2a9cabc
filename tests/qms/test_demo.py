"""`seed_demo` on a fresh SQLite database, as a newcomer runs it (`make run`):
our own short progress lines only, no Celery chatter, every login printed,
and a second run (`make run` again) adds nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_seed_demo_prints_only_our_progress(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_SETTINGS"))}
    env.update(DEBUG="True", DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", MEDIA_ROOT=str(tmp_path / "media"))
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run("migrate", "--noinput", "-v0").returncode == 0
    seeded = run("seed_demo")
    assert seeded.returncode == 0, seeded.stderr
    output = seeded.stdout + seeded.stderr
    assert "No hostname was supplied" not in output
    assert "succeeded in" not in output and "Task " not in output
    assert "external " in seeded.stdout and "scope: clauses" in seeded.stdout
    assert "18 months of history" in seeded.stdout
    assert len(output.splitlines()) < 25
    for username in ("qm", "author", "approver", "staff", "auditor", "auditor2", "external", "admin"):
        assert f"  {username} " in seeded.stdout

    again = run("seed_demo")
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("already present") == 3  # documents, records, audits


@pytest.mark.django_db
def test_remembered_passwords_answer_only_a_password_checked_right_and_end_with_the_block():
    from qms.demo import DEMO_PASSWORD, remembered_passwords, seed_core
    from qms.models import User

    user = seed_core()["staff"]
    original = User.check_password
    with remembered_passwords():
        assert user.check_password(DEMO_PASSWORD) and user.check_password(DEMO_PASSWORD)
        assert not user.check_password("wrong") and not user.check_password("wrong")
        user.set_password("changed-Quality-2026")  # a new hash is checked afresh
        assert not user.check_password(DEMO_PASSWORD)
    assert User.check_password is original


def test_the_demo_clock_moves_every_stamp_and_never_into_the_future():
    from datetime import date, timedelta

    from django.utils import timezone

    from qms.demo import moving_clock

    with moving_clock() as clock:
        clock.at(date(2025, 3, 4), 10)
        assert timezone.now().date() == date.today() == date(2025, 3, 4)
        clock.at(timezone.now() + timedelta(days=4000))
        assert timezone.now() < clock.real_now
    assert timezone.now() >= clock.real_now
