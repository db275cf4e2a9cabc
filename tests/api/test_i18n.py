"""The API answers in the caller's language (issue 20), by the pages' rule: the
user's own choice (User.language), else the request's Accept-Language. Only
the human messages change: the error's shape, its code and its field keys stay."""

import pytest
from django.contrib.auth.models import Permission

from qms.models import User
from tests.api.conftest import client_with, token_for

pytestmark = pytest.mark.django_db

ADMINISTRATORS_ONLY_DE = ("Nur ein Administrator (Mitarbeitende mit dem Recht, Benutzer zu ändern) legt Benutzer "
                          "an und ändert sie.")
READ_ONLY_DE = "Dieses Token ist schreibgeschützt: Es kann nichts ändern."


def _speaking(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def administrator(quality_manager):
    quality_manager.is_staff = True
    quality_manager.save()
    quality_manager.user_permissions.add(Permission.objects.get(codename="change_user"))
    return User.objects.get(pk=quality_manager.pk)


def test_a_token_users_own_language_translates_a_rules_refusal(staff):
    # The token's user is known only once DRF authenticates: no middleware saw them.
    c = client_with(token_for(_speaking(staff, "de")))
    r = c.post("/api/v1/users/", {"username": "newbie"}, format="json")
    assert r.status_code == 403
    assert r.json() == {"detail": ADMINISTRATORS_ONLY_DE, "code": "permission_denied"}
    assert r["Content-Language"] == "de"


def test_without_an_own_language_the_refusal_follows_accept_language(staff):
    c = client_with(token_for(staff, read_only=True))
    r = c.post("/api/v1/users/", {"username": "newbie"}, format="json", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert r.status_code == 403 and r.json() == {"detail": READ_ONLY_DE, "code": "permission_denied"}
    english = c.post("/api/v1/users/", {"username": "newbie"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"] == "This token is read-only: it cannot change anything."


def test_the_users_own_language_wins_over_accept_language(staff):
    c = client_with(token_for(_speaking(staff, "fr"), read_only=True))
    r = c.post("/api/v1/users/", {"username": "newbie"}, format="json", HTTP_ACCEPT_LANGUAGE="de")
    assert r.json()["detail"] == "Ce jeton est en lecture seule : il ne peut rien modifier."


def test_field_errors_and_service_refusals_keep_their_shape_in_german(administrator):
    c = client_with(token_for(_speaking(administrator, "de")))
    invalid = c.post("/api/v1/users/", {"username": "bad name!"}, format="json")
    assert invalid.status_code == 400
    body = invalid.json()
    assert body["detail"] == "Die Eingabe ist nicht gültig." and body["code"] == "invalid"
    assert list(body["errors"]) == ["username"]
    assert c.post("/api/v1/users/", {"username": "newbie"}, format="json").status_code == 201
    taken = c.post("/api/v1/users/", {"username": "newbie"}, format="json")
    assert taken.status_code == 409
    assert taken.json() == {"detail": "Der Benutzername „newbie“ ist vergeben.", "code": "DomainError"}
