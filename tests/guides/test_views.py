"""/help/: the guides of docs/ served by the app. Every guide answers for a
logged-in user and needs a login; nothing outside docs/ can be named; every
link and screenshot in the guides works inside the app; the footer links them."""

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings

GUIDES = {
    "/help/": "Documentation",
    "/help/admin-guide.md": "Administrator's guide",
    "/help/quality-manager-guide.md": "Quality manager's guide",
    "/help/auditor-guide.md": "Auditor's guide",
}
DOCS = Path(settings.BASE_DIR) / "docs"
# Written on another branch; the link test checks it once it is merged.

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["staff", "quality_manager", "external_auditor", "outsider"])
def test_every_guide_answers_for_a_logged_in_user(request, client_for, who):
    c = client_for(request.getfixturevalue(who))
    for path, title in GUIDES.items():
        response = c.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert f"<title>{title}".replace("'", "&#x27;") in html, path
        assert 'id="guide"' in html


def test_guides_need_a_login(client):
    for path in [*GUIDES, "/help/img/qm-record-type-builder.png"]:
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), path


@pytest.mark.parametrize("path", [
    "/help/..%2FREADME.md",  # the project README, one folder up
    "/help/..%2F.env.example.md",
    "/help/%2e%2e.md",
    "/help/img/..%2F..%2Fqms%2Fsettings.py",
    "/help/img/..%2Fadmin-guide.md",
    "/help/img/../../README.md",
    "/help/..%5CREADME.md",
    "/help/README.MD",
    "/help/Admin-Guide.md",
    "/help/admin-guide",
    "/help/img/qm-record-type-builder.PNG",
    "/help/img/.png",
    "/help/no-such-guide.md",
])
def test_a_path_outside_the_guides_is_refused(client_for, staff, path):
    response = client_for(staff).get(path)
    assert response.status_code == 404, path
    assert b"SECRET_KEY" not in response.content and b"INSTALLED_APPS" not in response.content


def test_a_symlink_in_docs_pointing_outside_is_not_followed(client_for, staff, settings, tmp_path):
    (tmp_path / "docs" / "img").mkdir(parents=True)
    (tmp_path / "secret.md").write_text("# Secret\n\nSECRET_KEY=abc\n")
    (tmp_path / "secret.png").write_bytes(b"\x89PNG secret")
    (tmp_path / "docs" / "leak.md").symlink_to(tmp_path / "secret.md")
    (tmp_path / "docs" / "img" / "leak.png").symlink_to(tmp_path / "secret.png")
    (tmp_path / "docs" / "real.md").write_text("# Real\n\nHello.\n")
    settings.BASE_DIR = tmp_path
    c = client_for(staff)
    assert c.get("/help/leak.md").status_code == 404
    assert c.get("/help/img/leak.png").status_code == 404
    assert "Hello." in c.get("/help/real.md").content.decode()


def test_a_guide_is_sanitised_markdown(client_for, staff, settings, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "x.md").write_text('# X\n\n<script>alert(1)</script>\n\n<p style="color:red">**bold**</p>\n')
    settings.BASE_DIR = tmp_path
    html = client_for(staff).get("/help/x.md").content.decode()
    assert "<script>alert" not in html and 'style="color' not in html


def _links(html: str) -> list[str]:
    article = html.split('id="guide"', 1)[1].split("</article>", 1)[0]
    return re.findall(r'(?:href|src)="([^"]+)"', article)


def test_every_link_and_screenshot_in_the_guides_works_in_the_app(client_for, quality_manager):
    c = client_for(quality_manager)
    problems, images = [], 0
    for path in GUIDES:
        for href in _links(c.get(path).content.decode()):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("#"):
                continue
            target = urljoin(f"http://testserver{path}", href)
            target_path = urlsplit(target).path
            response = c.get(target_path)
            if response.status_code != 200:
                problems.append(f"{path}: {href} -> {target_path} answered {response.status_code}")
            elif target_path.startswith("/help/img/"):
                images += 1
                assert response["Content-Type"] == "image/png"
                assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert not problems, "\n".join(problems)
    assert images >= 8  # the guides show the screenshots the browser tests take


def test_every_screenshot_in_docs_img_is_used_by_a_guide():
    text = "".join(p.read_text() for p in DOCS.glob("*.md"))
    unused = [p.name for p in (DOCS / "img").glob("*.png") if f"img/{p.name}" not in text]
    assert unused == []


def test_the_footer_links_the_guides_for_a_logged_in_user(client, client_for, staff):
    html = client_for(staff).get("/").content.decode()
    footer = html.split("<footer", 1)[1]
    for path in ("/help/quality-manager-guide.md", "/help/auditor-guide.md", "/help/admin-guide.md"):
        assert f'href="{path}"' in footer
    assert "/help/" not in client.get("/accounts/login/").content.decode()
