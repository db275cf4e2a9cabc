"""LDAP bind authentication against a real slapd on loopback (issue 17):
login, user creation, roles from directory groups at every login (audited),
a disabled account refused, LDAP injection in the user name refused, and
signing with a fresh bind."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qms.identity_models import AccountSecurity
from qms.models import AuditEvent, Signature
from qms.permissions import roles
from tests.factories import ensure_reference_data
from tests.qms.ldap_server import USER_PASSWORD, Directory
from tests.records.factories import make_record, make_type
from tests.signing import shown

User = get_user_model()


@pytest.fixture(scope="module")
def directory():
    server = Directory()
    yield server
    server.stop()


@pytest.fixture
def ldap_on(directory, settings, db):
    from qms.ldap import configure

    env = directory.settings()
    for name, value in configure(lambda name, default: env.get(name, default)).items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "qms.ldap.QmsLDAPBackend"]
    ensure_reference_data()
    return directory


def login(client, username, password=USER_PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_directory_user_logs_in_is_created_and_gets_roles_from_groups(client, ldap_on):
    response = login(client, "alice")
    assert response.status_code == 302 and response["Location"] == "/", response.content.decode()[:500]
    alice = User.objects.get(username="alice")
    assert alice.full_name == "Alice Quality" and alice.email == "alice@example.com"
    assert not alice.has_usable_password()  # the directory keeps the password
    assert roles(alice) == {"Quality Manager", "Approver"}
    assert AccountSecurity.objects.get(user=alice).source == "ldap"
    event = AuditEvent.objects.get(verb="sso.roles_mapped", object_id=str(alice.pk))
    assert event.data["added"] == ["Approver", "Quality Manager"] and event.data["source"] == "LDAP"
    assert client.session["_qms_auth_method"] == "ldap"


def test_group_changes_apply_at_the_next_login_and_are_audited(ldap_on):
    login(Client(), "bob")
    bob = User.objects.get(username="bob")
    assert roles(bob) == {"Approver", "Staff"}
    ldap_on.modify_members("qms-approvers", ["alice"])
    try:
        login(Client(), "bob")
        bob = User.objects.get(username="bob")
        assert roles(bob) == {"Staff"}
        last = AuditEvent.objects.filter(verb="sso.roles_mapped", object_id=str(bob.pk)).last()
        assert last.data["removed"] == ["Approver"]
    finally:
        ldap_on.modify_members("qms-approvers", ["bob", "alice"])


def test_wrong_password_is_refused(client, ldap_on):
    response = login(client, "dave", "not-the-password")
    assert response.status_code == 200 and "correct username and password" in response.content.decode()
    assert AuditEvent.objects.filter(verb="auth.login_failed", actor_name="dave").exists()


def test_disabled_account_is_refused_and_deactivated(client, ldap_on):
    response = login(client, "carol")
    assert response.status_code == 200 and client.get("/").status_code == 302
    assert AuditEvent.objects.filter(verb="auth.ldap_refused", actor_name="carol").exists()
    carol = User.objects.filter(username="carol").first()
    assert carol is None or not carol.is_active


@pytest.mark.parametrize("name", ["*", "alice)(uid=*", "ali*", "alice\\2a", "(|(uid=*))", "alice bob"])
def test_ldap_injection_in_the_user_name_is_refused_with_a_clear_message(client, ldap_on, name):
    response = login(client, name)
    assert response.status_code == 200
    assert "A user name has only letters" in response.content.decode()
    assert client.get("/").status_code == 302
    assert not User.objects.exclude(username__in=["alice", "bob", "dave", "carol"]).filter(
        username__icontains="ali").exists()
    assert AuditEvent.objects.filter(verb="auth.ldap_refused", actor_name=name).exists()


def test_backend_refuses_injection_even_without_the_form(ldap_on):
    from qms.ldap import QmsLDAPBackend

    assert QmsLDAPBackend().authenticate(None, username="*)(uid=*", password=USER_PASSWORD) is None
    assert QmsLDAPBackend().authenticate(None, username="alice", password=USER_PASSWORD) is not None


def test_directory_user_signs_with_a_fresh_bind(ldap_on):
    client = Client()
    login(client, "bob")
    bob = User.objects.get(username="bob")
    AccountSecurity.objects.filter(user=bob).update(declared_at="2026-01-01T00:00Z", declaration_text="x")
    submitter = User.objects.create_user("submitter", password="local-pass-Word-9")
    submitter.groups.add(*__import__("django.contrib.auth.models", fromlist=["Group"]).Group.objects.filter(
        name="Staff"))
    record = make_record(submitter, make_type("CAL"))
    url = f"/records/{record.number}/verify/"
    client.post(url, {"username": "bob", "password": "wrong", **shown(record)})
    assert not Signature.objects.exists()
    client.post(url, {"username": "bob", "password": USER_PASSWORD, **shown(record)})
    assert Signature.objects.get().method == "ldap"
