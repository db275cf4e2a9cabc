"""Pages in a language: each URL answers 200 and shows its words (the apps' i18n page tests)."""


def assert_pages_show(client, pages: dict[str, list[str]]) -> None:
    for url, words in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for word in words:
            assert word in body, (url, word)
