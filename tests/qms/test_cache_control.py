"""Issue 10: logged-in pages and downloads of controlled content carry
`Cache-Control: no-store`; public pages keep their normal caching."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/documents/", "/records/", "/audits/", "/capa/", "/clauses/", "/trail/export/"])
def test_logged_in_pages_are_not_stored(client, quality_manager, url):
    client.force_login(quality_manager)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_login_page_for_anonymous_visitors_is_unchanged(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    # Django's login view already says never cache; we do not add a second header.
    assert response["Cache-Control"].count("no-store") <= 1
