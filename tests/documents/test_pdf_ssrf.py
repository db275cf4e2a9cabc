"""The PDF renderer fetches nothing from the network (issue 10, SSRF): author
content that names a URL makes no request when the PDF is rendered; our own
static files still embed."""

import http.server
import threading

import pytest

from documents import renditions
from documents.models import Revision
from qms import pdf
from tests import pdf_helpers as h


@pytest.fixture
def probe_server():
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Revision.Status.DRAFT, Revision.Status.EFFECTIVE])
def test_revision_pdf_makes_no_request_to_a_url_in_the_content(probe_server, author, staff, status):
    port, hits = probe_server
    doc = h.document(owner=author, number="SOP-QA-301", title="Probe")
    body = (
        f"![x](http://127.0.0.1:{port}/probe.png)\n\n"
        f'<img src="http://127.0.0.1:{port}/img-tag.png">\n\n'
        f"[link](http://127.0.0.1:{port}/link)\n"
    )
    rev = h.revision(doc, status=status, content=body, effective_date=None if status == "draft" else h.date(2026, 1, 15))
    content = renditions.controlled_print(rev, user=staff)
    assert pdf.page_count(content) >= 1
    assert hits == []


@pytest.mark.django_db
def test_render_pdf_refuses_network_and_foreign_files_but_embeds_our_static_files(probe_server, tmp_path, settings):
    port, hits = probe_server
    outside = tmp_path / "secret.css"
    outside.write_text("body { color: red }")
    html = (
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">'
        f'<link rel="stylesheet" href="{outside.as_uri()}">'
        f'<img src="http://127.0.0.1:{port}/probe.png"><p>Hello</p>'
    )
    assert pdf.page_count(pdf.html_to_pdf(html)) == 1
    assert hits == []
    assert pdf._local_file(outside.as_uri()) is None
    assert pdf._local_file("file:///etc/passwd") is None
    assert pdf._local_file(f"http://127.0.0.1:{port}/probe.png") is None
    ours = pdf._local_file(f"{settings.SITE_URL.rstrip('/')}/static/vendor/htmx-2.0.11/htmx.min.js")
    assert ours is not None and ours.is_file()
