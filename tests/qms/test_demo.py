"""`seed_demo` on a fresh SQLite database, as a newcomer runs it (`make run`):
our own short progress lines only, no Celery chatter, and every login printed."""

import os
import subprocess
import sys
from pathlib import Path

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
    assert len(output.splitlines()) < 25
