"""Search finds a Chinese word inside a sentence (issue 12): PostgreSQL's
English configuration does not split Chinese into words, so such queries are
matched as substrings (trigram-indexed); SQLite keeps its icontains."""

import pytest

from tests.documents.factories import make_effective

BODY = "# 质量手册\n\n这是一个质量手册，包含质量方针和目标。"


def _numbers(response):
    return [row["doc"].number for row in response.context["rows"]]


@pytest.mark.django_db
def test_search_finds_a_chinese_word_inside_a_sentence(author, approver, staff, client_for):
    zh = make_effective(author, approver, title="质量手册（中文）", content=BODY)
    make_effective(author, approver, title="Calibration of gauges", content="# Purpose\nCalibrate every gauge.")
    c = client_for(staff)
    r = c.get("/documents/", {"q": "质量方针"})
    assert _numbers(r) == [zh.number]
    assert "<mark>质量方针</mark>" in str(r.context["rows"][0]["snippet"])
    assert _numbers(c.get("/documents/", {"q": "中文"})) == [zh.number]  # inside the title
    assert _numbers(c.get("/documents/", {"q": "质量体系"})) == []
