"""Suppliers test helpers: criteria, suppliers and evaluations made through the services."""

from datetime import date

from django.utils import timezone

from suppliers import services
from suppliers.models import Criterion
from tests.factories import PASSWORD


def make_criteria():
    return [Criterion.objects.get_or_create(name=name, defaults={"weight": weight, "order": i})[0]
            for i, (name, weight) in enumerate((("Quality", 50), ("Delivery", 30), ("Service", 20)))]


def make_supplier(qm, name="Acme Castings", criticality="major", **extra):
    return services.supplier_create(actor=qm, name=name, supplies=extra.pop("supplies", "Aluminium castings"),
                                    criticality=criticality, scope_of_approval=extra.pop("scope", "Castings to drawing"),
                                    **extra)


def evaluate(user, supplier, scores=(5, 4, 3), *, kind=None, decision="approve", on: date | None = None):
    criteria = make_criteria()
    kind = kind or ("periodic" if supplier.evaluations.exists() else "initial")
    return services.evaluation_create(
        actor=user, supplier=supplier, kind=kind, evaluated_on=on or timezone.localdate(),
        scores={c.pk: s for c, s in zip(criteria, scores, strict=False)}, decision=decision, password=PASSWORD,
        comment="Audit of the foundry")


def approved_supplier(qm, name="Acme Castings", **extra):
    supplier = make_supplier(qm, name=name, **extra)
    evaluate(qm, supplier)
    return services.supplier_set_status(actor=qm, supplier=supplier, to="approved", reason="Evaluation passed",
                                        password=PASSWORD)
