"""Every user-visible text of a template is marked for translation (issue 20):
bin/unmarked_strings.py reads each template with Django's lexer and an HTML
parser and reports text and visible attributes outside {% translate %} and
{% blocktranslate %}. PENDING is the list of templates not yet marked; it may
only shrink: a template off it must stay clean, and one on it that is clean
must come off it."""

import runpy
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CHECK = runpy.run_path(str(ROOT / "bin" / "unmarked_strings.py"))

PENDING = {
}


def _relative(path):
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", CHECK["template_files"](), ids=_relative)
def test_template_text_is_marked_for_translation(path):
    found = CHECK["unmarked"](path)
    if _relative(path) in PENDING:
        assert found, "every text of this template is marked now: take it off PENDING"
    else:
        assert found == [], "\n".join(f"line {line}: {text}" for line, text in found)


def test_pending_names_only_templates_that_exist():
    assert sorted(p for p in PENDING if not (ROOT / p).is_file()) == []


def test_the_check_finds_text_and_visible_attributes_and_skips_what_is_marked(tmp_path):
    sample = tmp_path / "sample.html"
    sample.write_text(
        '{% load i18n %}<h1>{% translate "Records" %}</h1>\n'
        '<p title="Open the record">{{ record.number }}</p>\n'
        '<input type="submit" value="Save">\n'
        '{% blocktranslate with n=count %}{{ n }} records{% endblocktranslate %}\n'
        '<script>const label = "not a page text";</script>\n'
        '<span>CSV · XLSX</span> <em>New record</em>\n'
        '{% comment %}a note for developers{% endcomment %}\n')
    assert CHECK["unmarked"](sample) == [(2, 'title="Open the record"'), (3, 'value="Save"'), (6, "New record")]
