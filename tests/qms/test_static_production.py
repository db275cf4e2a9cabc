"""Issue 10: with DEBUG=False, `collectstatic` must succeed with the manifest
storage for every asset (a vendored file naming a missing source map aborted
it, and without a manifest every page, the 500 page included, failed).

The test settings serve static files with the plain storage (no collectstatic
needed per test run), so these tests run the production storage for real in a
subprocess, into a temporary STATIC_ROOT, and check that every `{% static %}`
a template names is in the manifest.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.qms.test_deploy import PRODUCTION, ROOT

STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]""")


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    root = tmp_path_factory.mktemp("staticfiles")
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env={**clean, **PRODUCTION, "STATIC_ROOT": str(root)}, capture_output=True, text=True, timeout=300,
    )
    return root, result


def test_collectstatic_with_the_manifest_storage_succeeds(collected):
    root, result = collected
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
    # Every file under static/ and the apps' static folders is in the manifest.
    sources = [p for p in (ROOT / "static").rglob("*") if p.is_file()]
    sources += [p for p in ROOT.glob("*/static/**/*") if p.is_file() and ".venv" not in p.parts]
    for path in sources:
        rel = path.relative_to(_static_dir(path)).as_posix()
        assert rel in manifest, rel


def _static_dir(path: Path) -> Path:
    for parent in path.parents:
        if parent.name == "static":
            return parent
    raise AssertionError(path)


def test_every_static_file_a_template_names_is_in_the_manifest(collected):
    root, result = collected
    assert result.returncode == 0, result.stderr
    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
    named = set()
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        named.update(STATIC_TAG.findall(template.read_text(encoding="utf-8")))
    assert named, "no {% static %} tags found: the pattern is wrong"
    missing = sorted(name for name in named if name not in manifest)
    assert missing == []


def test_every_source_map_a_vendored_file_names_is_shipped():
    """The class of bug: a minified file whose sourceMappingURL points at nothing."""
    pattern = re.compile(rb"sourceMappingURL=([^\s*]+)")
    broken = []
    for path in (ROOT / "static").rglob("*"):
        if path.suffix in (".js", ".css") and path.is_file():
            for name in pattern.findall(path.read_bytes()):
                if not name.startswith(b"data:") and not (path.parent / name.decode()).exists():
                    broken.append(f"{path.relative_to(ROOT)} -> {name.decode()}")
    assert broken == []
