"""No user text is ever rendered unescaped (stored XSS).

The record-type form builder's help text and unit were rendered with |safe on
the staff's submit form. The grep test keeps every remaining |safe and
mark_safe on an allow-list, each with the sanitising that justifies it.
"""

import re
from pathlib import Path

import pytest

from tests.records.factories import make_type

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "<script>alert('xss')</script>"

# file -> why each use there is safe
ALLOWED_SAFE = {
    # Values built by qms.pdf.css_string (CSS string literals, every non-plain character
    # hex-escaped) for the PDF page margins; never HTML.
    "templates/pdf/_controlled_page.css.html": 3,
    "templates/pdf/manual_front.html": 1,
    # Markdown rendered then cleaned by nh3 with an allow-list (documents.selectors.render_markdown).
    "templates/pdf/revision.html": 1,
    # render_markdown: nh3.clean just above.
    "documents/selectors.py": 1,
    # the redline (documents.redline.clean): lxml htmldiff output through the same nh3 allow-list, plus ins/del.
    "documents/redline.py": 1,
    # search snippets: qms.search.highlight's output (selectors.snippets), escaped there.
    "documents/views/documents.py": 1,
    # a form's select written in Python (qms.form_renderer): every attribute, value and label
    # through conditional_escape; tests/qms/test_form_renderer.py holds it to Django's template.
    "qms/form_renderer.py": 1,
    # the management review pack PDF's page header: CSS strings built by qms.pdf.css_string (as the controlled page's).
    "templates/pdf/review_pack.html": 3,
    # the one search box's snippets (qms.search.highlight): every piece escaped, only our <mark> added.
    "qms/search.py": 2,
    # the training matrix's cells: state labels, colours and ISO dates, all constants of
    # training.matrix, no user text (one string per cell, as a page holds thousands).
    "training/templatetags/training_tags.py": 1,
}


def _uses(path: Path) -> int:
    text = path.read_text()
    return len(re.findall(r"\|\s*safe\b", text)) + len(re.findall(r"\bmark_safe\(", text))


def test_every_unescaped_output_is_on_the_justified_allow_list():
    found = {}
    for folder in ("templates", "qms", "documents", "records", "audits", "auditor", "guides", "planning", "reviews",
                   "training", "suppliers", "equipment", "api"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".html", ".py", ".txt") and "migrations" not in path.parts:
                n = _uses(path)
                if n:
                    found[str(path.relative_to(ROOT))] = n
    assert found == ALLOWED_SAFE


@pytest.mark.django_db
def test_builder_help_text_and_unit_are_shown_escaped_on_the_submit_form(client, staff):
    fields = [{"key": "reading", "label": "Reading", "type": "number", "required": True,
               "help": SCRIPT, "unit": "<img src=x onerror=alert(1)>"}]
    make_type("XSS", fields=fields)
    client.force_login(staff)
    response = client.get("/records/new/XSS/")
    assert response.status_code == 200
    html = response.content.decode()
    assert SCRIPT not in html
    assert "<img src=x onerror" not in html
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in html
