"""The document pages in German (issue 20): they render with the catalogue's text,
while the stored PDF and the register export keep the source language."""

import pytest
from django.urls import reverse

from tests.documents.factories import make_effective, new_revision
from tests.i18n_pages import assert_pages_show


def _german(user):
    user.language = "de"
    user.save()
    return user


@pytest.mark.django_db
def test_document_pages_render_in_german(author, approver, quality_manager, client_for):
    doc = make_effective(author, approver)
    new_revision(author, approver, doc)
    client = client_for(_german(quality_manager))
    pages = {
        doc.get_absolute_url(): ["Revisionen", "Angaben", "Verlauf"],
        reverse("documents:index"): ["Dokumentenregister", "Als CSV exportieren"],
        reverse("documents:document-compare", args=[doc.number]): ["Nebeneinander", "grün unterstrichen"],
        reverse("documents:acknowledgement-list"): ["Gelesen und verstanden"],
    }
    assert_pages_show(client, pages)


@pytest.mark.django_db
def test_the_register_export_keeps_the_source_language(author, approver, quality_manager, client_for):
    make_effective(author, approver)
    response = client_for(_german(quality_manager)).get(reverse("documents:index") + "?export=csv")
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert "Effective" in body and "Gültig" not in body
