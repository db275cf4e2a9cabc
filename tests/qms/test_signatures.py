"""Electronic signatures: SIG-01, SIG-03, SIG-04, SIG-08."""

import pytest
from django.contrib.contenttypes.models import ContentType
from freezegun import freeze_time

from qms.errors import SignatureRefused
from qms.models import AuditEvent, Department, Signature
from qms.signatures import SignatureForm, sign


class SignableDepartment(Department):
    """A proxy that declares what is signed: enough to test the core alone."""

    class Meta:
        proxy = True
        app_label = "qms"

    def signature_content(self):
        return {"code": self.code, "name": self.name}


@pytest.fixture
def target(db):
    ContentType.objects.clear_cache()  # the proxy's content type is made per test database transaction
    return SignableDepartment.objects.create(code="QA", name="Quality Assurance")


@pytest.mark.django_db
def test_right_password_signs_with_name_time_and_meaning(target, approver, password):
    with freeze_time("2026-03-04 05:06:07"):
        sig = sign(signer=approver, password=password, obj=target, meaning="approved", comment="Fine")
    sig.refresh_from_db()
    assert sig.printed_name == "Priya Shah"
    assert sig.signed_at.isoformat() == "2026-03-04T05:06:07+00:00"
    assert sig.get_meaning_display() == "Approved"
    assert sig.comment == "Fine"
    assert sig.is_valid()
    assert AuditEvent.objects.filter(verb="signature.signed", actor=approver).count() == 1


@pytest.mark.django_db
def test_wrong_password_refuses_and_records_the_attempt(target, approver):
    with pytest.raises(SignatureRefused, match="password is not correct"):
        sign(signer=approver, password="nope", obj=target, meaning="approved")
    assert not Signature.objects.exists()
    event = AuditEvent.objects.get(verb="signature.refused")
    assert event.actor == approver and event.object_id == str(target.pk)


@pytest.mark.django_db
def test_changing_signed_content_invalidates_signature(target, approver, password):
    sig = sign(signer=approver, password=password, obj=target, meaning="approved")
    SignableDepartment.objects.filter(pk=target.pk).update(name="Changed behind our back")
    sig = Signature.objects.get(pk=sig.pk)
    assert not sig.is_valid()


@pytest.mark.django_db
def test_signature_copied_to_another_object_does_not_verify(target, approver, password):
    sig = sign(signer=approver, password=password, obj=target, meaning="approved")
    other = SignableDepartment.objects.create(code="PRD", name="Production")
    copy = Signature(
        signer=approver, printed_name=sig.printed_name, signed_at=sig.signed_at, meaning=sig.meaning,
        content_type=ContentType.objects.get_for_model(other, for_concrete_model=False), object_id=other.pk, content_hash=sig.content_hash,
    )
    assert not copy.is_valid()


@pytest.mark.django_db
def test_external_auditor_cannot_sign(target, external_auditor, password):
    with pytest.raises(SignatureRefused):
        sign(signer=external_auditor, password=password, obj=target, meaning="reviewed")


@pytest.mark.django_db
def test_signature_form_requires_own_username(approver):
    form = SignatureForm(data={"username": "someone-else", "password": "x"}, user=approver)
    assert not form.is_valid()
    assert "own user name" in str(form.errors["username"])
