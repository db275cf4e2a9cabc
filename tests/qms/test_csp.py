"""Content-Security-Policy: on every page, with no inline code allowed, and
no template that would need it (the browser test checks real pages)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/documents/", "/records/", "/capa/"])
def test_every_page_carries_a_policy_without_inline_script(client, quality_manager, path):
    client.force_login(quality_manager)
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in policy


def test_no_template_has_inline_script_style_or_event_handlers():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        rel = str(path.relative_to(ROOT))
        if rel.startswith(("templates/pdf/", "templates/emails/")):  # not served to browsers as pages
            continue
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{rel}: inline <script>")
        if re.search(r"<style\b", text) or re.search(r'\sstyle="', text):
            offenders.append(f"{rel}: inline style")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{rel}: inline event handler")
        if "javascript:" in text:
            offenders.append(f"{rel}: javascript: URL")
    assert offenders == []
