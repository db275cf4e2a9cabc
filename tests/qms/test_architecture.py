"""The architecture contracts in pyproject.toml hold, and they would catch a break."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
def _root_packages() -> tuple[str, ...]:
    import tomllib

    return tuple(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"])


PACKAGES = _root_packages()
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=cwd, capture_output=True, text=True,
                          env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"}, timeout=120)


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """A copy of the packages and the contracts, to break on purpose."""
    root = tmp_path_factory.mktemp("arch")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, root / pkg, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    return root


def test_contracts_hold_on_this_tree():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_contracts_carry_no_ignore_list():
    text = (ROOT / "pyproject.toml").read_text()
    section = text[text.index("[tool.importlinter]"):]
    assert "ignore_imports" not in section


# One forbidden import per contract, each inside a function (import-linter counts those).
VIOLATIONS = [
    ("qms/permissions.py", "documents.selectors", "The core (qms) knows no app"),
    ("documents/selectors.py", "auditor.scope", "Controlled documents know neither"),
    ("records/services.py", "audits.models", "Quality records know neither"),
    ("audits/selectors.py", "auditor.scope", "Audits and CAPA do not know"),
    ("auditor/selectors.py", "planning.models", "The certification auditor's view reads the management-system apps"),
    ("reviews/services.py", "training.models", "The management-system apps are independent of each other"),
    ("records/selectors.py", "api.views", "Nothing imports the API"),
]


def test_a_forbidden_import_inside_a_function_breaks_each_contract(tree):
    originals = {}
    for module, imports, _ in VIOLATIONS:
        path = tree / module
        originals[path] = path.read_text()
        path.write_text(originals[path] + f"\n\ndef _sneaky():\n    import {imports}  # noqa\n")
    try:
        result = _lint(tree)
    finally:
        for path, text in originals.items():
            path.write_text(text)
    assert result.returncode != 0
    assert f"{len(VIOLATIONS)} broken" in result.stdout, result.stdout
    for _module, imports, contract in VIOLATIONS:
        assert imports in result.stdout and contract in result.stdout
