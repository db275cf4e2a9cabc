"""The shared PDF helpers other apps call: render_pdf / html_to_pdf keep
working; CSS strings cannot be broken out of; QR codes; stamping and merging."""

import base64
import copy

import pytest

from qms import pdf


@pytest.mark.django_db
def test_render_pdf_renders_a_template_with_the_company_name(tmp_path, settings):
    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / "t.html").write_text("<h1>{{ COMPANY_NAME }}</h1><p>{{ body }}</p>")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates  # assigning (not mutating) resets the template engines
    content = pdf.render_pdf("pdf/t.html", {"body": "Record 42 <verified>"})
    assert content.startswith(b"%PDF-")
    text = pdf.extract_text(content)[0]
    assert "Acme Precision Ltd" in text and "Record 42 <verified>" in text


def test_html_to_pdf_and_page_count():
    content = pdf.html_to_pdf("<p>one</p><p style='page-break-before: always'>two</p>")
    assert pdf.page_count(content) == 2
    assert pdf.page_sizes(content)[0] == pytest.approx((595.28, 841.89), abs=0.5)  # A4


def test_css_string_escapes_quotes_and_markup_so_user_text_stays_text():
    value = pdf.css_string('Evil"; } @page { content: "x\n')
    assert value.startswith('"') and value.endswith('"') and '"' not in value[1:-1] and ";" not in value
    content = pdf.html_to_pdf(f"<style>@page {{ @top-left {{ content: {value}; }} }}</style><p>body</p>")
    assert 'Evil"; } @page { content: "x' in " ".join(pdf.extract_text(content)[0].split())


def test_qr_code_is_an_svg_data_uri_of_the_url():
    uri = pdf.qr_data_uri("https://qms.example.com/verify/abc/")
    assert uri.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(uri.split(",", 1)[1])
    assert b"<svg" in svg and b"<path" in svg


def test_overlay_stamps_every_page_and_appends_extra_pages():
    base = pdf.html_to_pdf("<p>alpha</p><p style='page-break-before: always'>beta</p>")
    stamp = pdf.html_to_pdf("<p>STAMP</p>")
    stamped = pdf.extract_text(pdf.overlay(base, stamp, repeat_first=True))
    assert len(stamped) == 2 and all("STAMP" in p for p in stamped)
    extra = pdf.html_to_pdf("<p>s1</p><p style='page-break-before: always'>s2</p><p style='page-break-before: always'>sig</p>")
    pages = pdf.extract_text(pdf.overlay(base, extra, append_rest=True))
    assert len(pages) == 3 and "alpha" in pages[0] and "s1" in pages[0] and pages[2].strip() == "sig"


def test_merge_concatenates_in_order():
    parts = [pdf.html_to_pdf(f"<p>part {i}</p>") for i in range(3)]
    content, pages = pdf.merge(parts)
    assert pages == 3 and [t.strip() for t in pdf.extract_text(content)] == ["part 0", "part 1", "part 2"]
