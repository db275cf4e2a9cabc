"""Issue 12: Chinese (and every script) prints in every PDF whatever fonts the
machine has. The project ships Noto Sans SC (static/vendor/noto-sans-sc-*),
every print layout loads it through `@font-face` (templates/pdf/_fonts.html)
after DejaVu and Liberation, and the document language is set from its text.

"Without system fonts" means fontconfig sees no font folder at all (see
tests.pdf_helpers.without_system_fonts): only what the layouts load exists, so a
font embedded in the PDF can only be the one we ship."""

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pypdf import PdfReader

from documents import manual, renditions
from documents.models import Revision
from qms import pdf
from qms.models import Job
from tests import pdf_helpers as h

ROOT = Path(settings.BASE_DIR)
PDF_TEMPLATES = sorted(p for p in (ROOT / "templates" / "pdf").glob("*.html") if not p.name.startswith("_"))


def _noto(fonts):
    return [name for name, embedded in fonts if _is(name, "NotoSansSC") and embedded]


def _is(name: str, family: str) -> bool:
    return name.replace("-", "").startswith(family)  # pdffonts shows "Noto-Sans-SC-Bold"


def _catalog_lang(content: bytes) -> str:
    return str(PdfReader(io.BytesIO(content)).trailer["/Root"].get("/Lang", ""))


@pytest.fixture
def chinese_revision(author, approver):
    doc = h.document(owner=author, number="QM-QA-001", title=h.CHINESE, type_code="QM", manual_order=10)
    rev = h.revision(doc, content=h.CHINESE, status=Revision.Status.EFFECTIVE)
    h.signed(rev, signer=approver, meaning="approved")
    return rev


@pytest.mark.django_db
def test_chinese_revision_prints_with_the_shipped_font_when_the_machine_has_no_fonts(chinese_revision, staff, tmp_path):
    h.poppler_or_skip()
    # The stored base PDF and the per-print stamp, as a user's print gets them.
    content = h.without_system_fonts(lambda: renditions.controlled_print(chinese_revision, user=staff), tmp_path)
    fonts = h.pdf_fonts(content)
    assert _noto(fonts), fonts
    # Nothing but the shipped font: the machine's DejaVu/Liberation were hidden,
    # so even the Latin labels ("Revision", "Page 1 of 2") are Noto Sans SC.
    assert all(_is(name, "NotoSansSC") for name, _ in fonts), fonts
    assert all(embedded for _, embedded in fonts), fonts
    text = h.pdf_text(content)
    assert text.count(h.CHINESE) >= 2, text  # the title (heading) and the body
    assert "QM-QA-001" in text and "Uncontrolled when printed" in text
    assert _catalog_lang(content) == "zh-Hans"


@pytest.mark.django_db
def test_with_system_fonts_latin_stays_dejavu_and_only_chinese_uses_the_shipped_font(chinese_revision, author, staff):
    h.poppler_or_skip()
    if "DejaVu Sans" not in subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout:
        pytest.skip("needs the DejaVu fonts (fonts-dejavu-core; .ci/run installs them)")
    latin = h.revision(h.document(owner=author, number="SOP-QA-050", title="Calibration"), content="Plain English.")
    fonts = h.pdf_fonts(renditions.controlled_print(latin, user=staff))
    assert any(_is(name, "DejaVuSans") for name, _ in fonts) and not _noto(fonts), fonts
    fonts = h.pdf_fonts(renditions.controlled_print(chinese_revision, user=staff))
    assert any(_is(name, "DejaVuSans") for name, _ in fonts) and _noto(fonts), fonts


@pytest.mark.django_db
def test_english_revision_carries_the_site_language(author, staff):
    rev = h.revision(h.document(owner=author, title="Calibration of gauges"), content="How we calibrate 量规.")
    assert _catalog_lang(renditions.controlled_print(rev, user=staff)) == settings.LANGUAGE_CODE


@pytest.mark.parametrize(
    "texts, lang",
    [
        ((h.CHINESE,), "zh-Hans"),
        (("质量手册", "# 目的\n\n本程序规定了 ISO 9001 文件控制的要求。"), "zh-Hans"),  # Latin letters are a minority
        (("Quality manual of 上海精密",), settings.LANGUAGE_CODE),  # a Chinese name in English text
        (("品質マニュアル", "文書管理の手順"), "ja"),
        (("품질 매뉴얼",), "ko"),
        (("", None), settings.LANGUAGE_CODE),
    ],
)
def test_text_language(texts, lang):
    assert pdf.text_language(*texts) == lang


def test_every_pdf_layout_loads_the_font_face_and_sets_its_language():
    assert len(PDF_TEMPLATES) >= 8
    for path in PDF_TEMPLATES:
        source = path.read_text()
        assert '{% include "pdf/_fonts.html" %}' in source, path.name
        assert re.search(r'<html lang="\{% pdf_lang[^%]*%\}">', source), path.name
    # One font stack, in the shared include: no layout (or its CSS include) sets its own.
    for path in (ROOT / "templates" / "pdf").glob("*.html"):
        if path.name != "_fonts.html":
            assert "font-family" not in path.read_text(), path.name


def test_the_shipped_font_is_vendored_with_its_licence():
    css = Path(pdf.static_file_uri("vendor/noto-sans-sc-2.004-H2/noto-sans-sc.css").removeprefix("file://"))
    folder = css.parent
    assert "SIL Open Font License" in (folder / "LICENSE").read_text()
    faces = re.findall(r'font-weight: (\d+);\s+src: url\("([^"]+)"\) format\("woff2"\)', css.read_text())
    assert sorted(w for w, _ in faces) == ["400", "700"]
    for _, name in faces:
        assert (folder / name).read_bytes()[:4] == b"wOF2"
    assert "_fonts.html" in css.read_text()  # says who loads it


def test_static_file_uri_uses_the_collected_copy_when_there_is_no_source_folder(settings, tmp_path):
    """With DEBUG=False the files may only exist under STATIC_ROOT (collectstatic
    keeps the unhashed names next to the hashed ones)."""
    name = "vendor/noto-sans-sc-2.004-H2/noto-sans-sc.css"
    source = Path(pdf.static_file_uri(name).removeprefix("file://"))
    collected = tmp_path / "staticfiles"
    shutil.copytree(source.parent, collected / "vendor" / source.parent.name)
    settings.STATICFILES_DIRS = []
    settings.STATIC_ROOT = str(collected)
    uri = pdf.static_file_uri(name)
    assert uri == (collected / name).as_uri()
    assert pdf._local_file(uri) is not None  # the PDFs' URL fetcher lets it in
    with pytest.raises(ImproperlyConfigured, match="missing"):
        pdf.static_file_uri("vendor/none.css")


@pytest.mark.django_db
def test_chinese_pdf_renders_from_the_collected_static_files(settings, tmp_path, author):
    h.poppler_or_skip()
    source = Path(pdf.static_file_uri("vendor/noto-sans-sc-2.004-H2/noto-sans-sc.css").removeprefix("file://")).parent
    collected = tmp_path / "staticfiles"
    shutil.copytree(source, collected / "vendor" / source.name)
    settings.STATICFILES_DIRS = []
    settings.STATIC_ROOT = str(collected)
    rev = h.revision(h.document(owner=author, title=h.CHINESE), content=h.CHINESE, status=Revision.Status.DRAFT,
                     effective_date=None)
    content = h.without_system_fonts(lambda: renditions.render_revision(renditions.prepare(rev))[0], tmp_path)
    assert _noto(h.pdf_fonts(content))
    assert h.CHINESE in h.pdf_text(content)


@pytest.mark.django_db
def test_quality_manual_prints_chinese_titles_without_system_fonts(chinese_revision, quality_manager, tmp_path,
                                                                    django_capture_on_commit_callbacks):
    h.poppler_or_skip()

    def build() -> bytes:
        with django_capture_on_commit_callbacks(execute=True):
            job = manual.request_manual_build(actor=quality_manager)
        job.refresh_from_db()
        assert job.status == Job.Status.READY, job.error
        with job.file.open("rb") as fh:
            return fh.read()

    content = h.without_system_fonts(build, tmp_path)
    assert _noto(h.pdf_fonts(content))
    pages = h.pdf_text(content).split("\f")
    assert h.CHINESE in pages[1], pages[1]  # the contents page lists the title


def test_the_test_process_keeps_its_fonts_after_a_render_without_system_fonts(tmp_path):
    """The forked child must not finalise the font configuration it inherits:
    that would delete the test process's decoded fonts (every later PDF failed)."""
    from qms.exports import table_pdf

    table_pdf(["A"], [["before"]], title="Before")  # the test process's fonts are loaded
    h.without_system_fonts(lambda: table_pdf(["A"], [[h.CHINESE]], title="Child"), tmp_path)
    assert pdf.page_count(table_pdf(["A"], [["after"]], title="After")) == 1
