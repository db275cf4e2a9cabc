from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from qms.errors import DomainError, PermissionRefused, SignatureRefused
from qms.models import AuditEvent
from qms.signatures import signatures_for
from suppliers import services
from suppliers.models import Evaluation, Supplier, weighted_score
from tests.factories import PASSWORD
from tests.suppliers.factories import approved_supplier, evaluate, make_criteria, make_supplier

pytestmark = pytest.mark.django_db


def test_a_new_supplier_is_prospective_with_a_code_and_an_event(quality_manager):
    s = make_supplier(quality_manager)
    assert s.status == Supplier.Status.PROSPECTIVE and s.code == "SUP-00001"
    assert make_supplier(quality_manager, name="Second").code == "SUP-00002"
    assert AuditEvent.objects.filter(verb="supplier.created", object_id=str(s.pk)).exists()


def test_only_the_quality_manager_keeps_the_register(staff):
    with pytest.raises(PermissionRefused):
        make_supplier(staff)


def test_approval_without_an_evaluation_is_refused_and_changes_nothing(quality_manager):
    s = make_supplier(quality_manager)
    with pytest.raises(DomainError, match="no evaluation yet"):
        services.supplier_set_status(actor=quality_manager, supplier=s, to="approved", reason="Looks fine",
                                     password=PASSWORD)
    s.refresh_from_db()
    assert s.status == "prospective" and not signatures_for(s).exists()


def test_approval_is_signed_with_a_reason_and_recorded(quality_manager):
    s = approved_supplier(quality_manager)
    assert s.status == "approved" and s.approved_at is not None
    sig = signatures_for(s).get()
    assert sig.meaning == "approved" and sig.is_valid()
    ev = AuditEvent.objects.get(verb="supplier.approved", object_id=str(s.pk))
    assert (ev.from_state, ev.to_state, ev.comment) == ("prospective", "approved", "Evaluation passed")
    assert s.history.first().history_change_reason == "Evaluation passed"


def test_a_wrong_password_refuses_the_approval(quality_manager):
    s = make_supplier(quality_manager)
    evaluate(quality_manager, s)
    with pytest.raises(SignatureRefused):
        services.supplier_set_status(actor=quality_manager, supplier=s, to="approved", reason="ok", password="nope")
    s.refresh_from_db()
    assert s.status == "prospective"
    assert AuditEvent.objects.filter(verb="signature.refused").exists()


def test_suspension_needs_a_reason_but_no_signature(quality_manager):
    s = approved_supplier(quality_manager)
    with pytest.raises(DomainError, match="reason"):
        services.supplier_set_status(actor=quality_manager, supplier=s, to="suspended", reason=" ")
    services.supplier_set_status(actor=quality_manager, supplier=s, to="suspended", reason="Late twice")
    s.refresh_from_db()
    assert s.status == "suspended"


def test_disqualification_is_signed_and_reapproval_needs_a_new_evaluation(quality_manager):
    s = approved_supplier(quality_manager)
    services.supplier_set_status(actor=quality_manager, supplier=s, to="disqualified", reason="Fraud",
                                 password=PASSWORD)
    assert signatures_for(s).filter(meaning="rejected").exists()
    services.supplier_set_status(actor=quality_manager, supplier=s, to="prospective", reason="New owners")
    with pytest.raises(DomainError, match="disqualified since its last evaluation"):
        services.supplier_set_status(actor=quality_manager, supplier=s, to="approved", reason="ok", password=PASSWORD)
    evaluate(quality_manager, s)
    services.supplier_set_status(actor=quality_manager, supplier=s, to="approved", reason="ok", password=PASSWORD)


def test_a_move_the_lifecycle_does_not_allow_is_refused(quality_manager):
    s = make_supplier(quality_manager)
    with pytest.raises(DomainError, match="cannot become suspended"):
        services.supplier_set_status(actor=quality_manager, supplier=s, to="suspended", reason="x")


def test_evaluation_weights_scores_signs_and_sets_the_next_due_date(quality_manager):
    s = make_supplier(quality_manager, criticality="critical")
    e = evaluate(quality_manager, s, scores=(5, 3, 1))
    # (50*1 + 30*0.5 + 20*0) / 100 * 100
    assert e.score == Decimal("65.0") and e.lines.count() == 3
    assert signatures_for(e).get().is_valid()
    s.refresh_from_db()
    assert s.last_score == Decimal("65.0")
    today = timezone.localdate()
    assert s.next_evaluation_due == today.replace(year=today.year + 1) or s.next_evaluation_due.year == today.year + 1


def test_a_score_outside_the_scale_is_refused_and_nothing_is_saved(quality_manager):
    s = make_supplier(quality_manager)
    with pytest.raises(DomainError, match="scores run from 1 to 5"):
        evaluate(quality_manager, s, scores=(6, 3, 3))
    with pytest.raises(DomainError, match="scores run from 1 to 5"):
        evaluate(quality_manager, s, scores=(0, 3, 3))
    assert not Evaluation.objects.exists()


def test_the_first_evaluation_is_the_initial_one(quality_manager):
    s = make_supplier(quality_manager)
    with pytest.raises(DomainError, match="initial"):
        evaluate(quality_manager, s, kind="periodic")
    evaluate(quality_manager, s)
    with pytest.raises(DomainError, match="periodic"):
        evaluate(quality_manager, s, kind="initial")


def test_an_evaluation_in_the_future_is_refused(quality_manager):
    s = make_supplier(quality_manager)
    with pytest.raises(DomainError, match="future"):
        evaluate(quality_manager, s, on=timezone.localdate() + timedelta(days=1))


def test_staff_cannot_evaluate(staff, quality_manager):
    s = make_supplier(quality_manager)
    make_criteria()
    with pytest.raises(PermissionRefused):
        evaluate(staff, s)


def test_weighted_score_maps_the_scale_onto_0_to_100():
    assert weighted_score([(1, 5)]) == Decimal("100.0")
    assert weighted_score([(1, 1)]) == Decimal("0.0")
    assert weighted_score([(3, 5), (1, 1)]) == Decimal("75.0")


def test_deliveries_per_month_are_checked_and_corrected(quality_manager, staff):
    s = make_supplier(quality_manager)
    month = timezone.localdate().replace(day=1)
    with pytest.raises(DomainError):
        services.delivery_enter(actor=staff, supplier=s, month=month, delivered=3, on_time=4)
    services.delivery_enter(actor=staff, supplier=s, month=month, delivered=4, on_time=3)
    row = services.delivery_enter(actor=staff, supplier=s, month=month.replace(day=15), delivered=5, on_time=5)
    assert s.deliveries.count() == 1 and row.percent == Decimal("100.0")


def test_a_supplier_capa_links_back_and_is_listed(quality_manager):
    from audits.selectors import capas_raised_from

    s = approved_supplier(quality_manager)
    capa = services.supplier_raise_capa(actor=quality_manager, supplier=s, title="Porosity",
                                        description="Castings porous", severity="major")
    assert capa.source == "supplier" and capa.origin == s
    assert list(capas_raised_from(quality_manager, s)) == [capa]


def test_a_new_criticality_moves_the_reevaluation_date(quality_manager):
    s = make_supplier(quality_manager, criticality="minor")
    evaluate(quality_manager, s)
    s.refresh_from_db()
    minor_due = s.next_evaluation_due
    services.supplier_update(actor=quality_manager, supplier=s, criticality="critical")
    s.refresh_from_db()
    assert s.next_evaluation_due < minor_due


def test_a_certificate_running_out_brings_the_reevaluation_forward_until_renewed(quality_manager, client):
    s = approved_supplier(quality_manager, criticality="minor")  # evaluated today: next due in 36 months
    s.refresh_from_db()
    interval_due = s.next_evaluation_due
    today = timezone.localdate()
    services.certificate_add(actor=quality_manager, supplier=s, standard="ISO 9001:2015",
                             valid_until=today + timedelta(days=90))
    s.refresh_from_db()
    assert s.next_evaluation_due == today + timedelta(days=90) < interval_due
    # The supplier's page says why the date moved.
    client.force_login(quality_manager)
    page = client.get(s.get_absolute_url()).content.decode()
    assert "ISO 9001:2015 certificate runs out" in page
    # A renewal of the same standard moves the date on again (to the interval).
    services.certificate_add(actor=quality_manager, supplier=s, standard="ISO 9001:2015",
                             valid_until=today + timedelta(days=3 * 365 + 200))
    s.refresh_from_db()
    assert s.next_evaluation_due == interval_due


def test_a_lapse_known_at_the_evaluation_does_not_make_it_due_again(quality_manager):
    s = make_supplier(quality_manager, criticality="minor")
    today = timezone.localdate()
    services.certificate_add(actor=quality_manager, supplier=s, standard="IATF 16949",
                             valid_until=today - timedelta(days=10))
    s.refresh_from_db()
    assert s.next_evaluation_due is None  # never evaluated: the initial evaluation is what is due
    evaluate(quality_manager, s, on=today)  # evaluated knowing the certificate ran out
    s.refresh_from_db()
    interval_due = s.next_evaluation_due
    assert interval_due.year == today.year + 3
    services.certificate_add(actor=quality_manager, supplier=s, standard="ISO 14001",
                             valid_until=today + timedelta(days=30))
    s.refresh_from_db()
    assert s.next_evaluation_due == today + timedelta(days=30)
