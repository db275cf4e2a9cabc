"""The rules registry (qms.rules): every rule used exists, every rule is used,
and every refusal message is written once, beside its rule."""

import re
import subprocess
from pathlib import Path

import pytest

from qms import rules
from qms.errors import PermissionRefused
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
USE = re.compile(r"""(?:allowed|require)\(\s*["']([a-z_]+\.[a-z_]+)["']|\{%\s*can\s+["']([a-z_]+\.[a-z_]+)["']""")
REFUSAL = re.compile(r"""raise (?:PermissionRefused|PermissionDenied)\(\s*f?["']([^"']+)["']""")


def _sources():
    files = subprocess.check_output(["git", "ls-files", "*.py", "templates/*.html", "templates/**/*.html"],
                                    cwd=ROOT, text=True).split()
    for name in files:
        if name.startswith(("tests/", "bench/")) or "/migrations/" in name:
            continue
        yield name, (ROOT / name).read_text()


def _uses() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, text in _sources():
        for m in USE.finditer(text):
            found.setdefault(m.group(1) or m.group(2), []).append(name)
    return found


def test_every_rule_name_used_in_code_and_templates_is_registered():
    unknown = {n: files for n, files in _uses().items() if n not in rules.registered()}
    assert not unknown, f"rules used but never registered: {unknown}"


def test_every_registered_rule_is_used_somewhere():
    used = _uses()
    unused = sorted(set(rules.registered()) - set(used))
    assert not unused, f"registered rules nobody asks: {unused}"


def test_rule_names_are_app_dot_action_and_the_app_registers_its_own():
    for name in rules.registered():
        app, action = name.split(".")
        assert app in {"qms", "documents", "records", "audits", "auditor", "planning", "reviews", "training", "suppliers",
                       "equipment", "intake", "api"}
        assert re.fullmatch(r"[a-z_]+", action)


def test_every_refusal_message_is_defined_once():
    messages = [rules.message(n, UserFactory.build(username="x", full_name="X")) for n in rules.registered()]
    assert len(messages) == len(set(messages)), "two rules share a message"
    repeated = []
    for name, text in _sources():
        for m in REFUSAL.finditer(text):
            if m.group(1) in messages:
                repeated.append((name, m.group(1)))
    assert not repeated, f"a rule's message written again outside qms.rules: {repeated}"


def test_an_unknown_rule_is_an_error_not_a_no():
    with pytest.raises(rules.UnknownRule):
        rules.allowed("documents.fly", UserFactory.build())


@pytest.mark.django_db
def test_require_refuses_with_the_rules_own_message():
    outsider = UserFactory()
    with pytest.raises(PermissionRefused) as exc:
        rules.require("records.configure_record_types", outsider)
    assert exc.value.message == rules.message("records.configure_record_types")
    assert exc.value.status_code == 403
