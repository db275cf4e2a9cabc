"""Users through the API: everyone with a role reads names; the quality manager
and auditors also roles and state; only an administrator writes (and a
deactivated user's tokens stop at once)."""

import pytest
from django.contrib.auth.models import Permission

from qms.models import User
from tests.api.conftest import client_with, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(quality_manager):
    quality_manager.is_staff = True
    quality_manager.save()
    quality_manager.user_permissions.add(Permission.objects.get(codename="change_user"))
    return User.objects.get(pk=quality_manager.pk)


def test_names_for_everyone_roles_for_the_quality_manager(api_for, staff, quality_manager):
    body = api_for(staff).get("/api/v1/users/").json()["results"]
    assert body and "roles" not in body[0]
    assert "roles" in api_for(quality_manager).get("/api/v1/users/staff/").json()
    assert api_for(staff).get("/api/v1/users/nobody/").status_code == 404


def test_only_an_administrator_creates_and_changes_users(api_for, administrator, staff):
    r = api_for(staff).post("/api/v1/users/", {"username": "newbie"}, format="json")
    assert r.status_code == 403 and "administrator" in r.json()["detail"]
    a = api_for(administrator)
    r = a.post("/api/v1/users/", {"username": "newbie", "full_name": "New Bie", "roles": ["Staff"]}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["roles"] == ["Staff"]
    assert not User.objects.get(username="newbie").has_usable_password()
    assert a.post("/api/v1/users/", {"username": "newbie"}, format="json").status_code == 409
    assert a.post("/api/v1/users/", {"username": "bad name!"}, format="json").status_code == 400
    r = a.post("/api/v1/users/newbie/change/", {"job_title": "Operator", "roles": ["Staff", "Author"]}, format="json")
    assert r.status_code == 200 and r.json()["job_title"] == "Operator" and r.json()["roles"] == ["Author", "Staff"]


def test_deactivating_a_user_stops_their_token(api_for, administrator, staff):
    c = client_with(token_for(staff))
    assert c.get("/api/v1/users/me/").status_code == 200
    r = api_for(administrator).post("/api/v1/users/staff/change/", {"is_active": False, "reason": "Left"},
                                    format="json")
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert c.get("/api/v1/users/me/").status_code == 401
    own = api_for(administrator).post(f"/api/v1/users/{administrator.username}/change/", {"is_active": False},
                                      format="json")
    assert own.status_code == 409
