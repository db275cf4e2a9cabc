"""Suppliers in the scope walk's world (tests/auditor/scope_world.py).

Suppliers link to clause 8.4, outside the walk's 8.5 grant, so both sides'
objects are refused to the external auditor; only the out-of-scope one carries
the secret word, which must never show on any page they reach."""

from __future__ import annotations

from suppliers import services
from tests.suppliers.factories import approved_supplier, evaluate, make_criteria, make_supplier

SECRET = "Zanzibar"


def build(w, *, quality_manager, author, approver, staff, auditor, external_auditor):
    qm = quality_manager
    make_criteria()
    for side, name in (("in", "Press Tools Ltd"), ("out", f"{SECRET} Metals")):
        s = approved_supplier(qm, name=name, supplies=f"{name} parts")
        services.contact_add(actor=qm, supplier=s, name=f"{name} contact", email="sales@example.com")
        w[side]["supplier"] = s
        w[side]["evaluation"] = s.evaluations.first()
        w[side]["supplier_cert"] = services.certificate_add(actor=qm, supplier=s, standard="ISO 9001:2015",
                                                            valid_until=s.created_at.date().replace(
                                                                year=s.created_at.year + 2))
    prospect = make_supplier(qm, name="Press Prospect")
    evaluate(qm, prospect)
    w["supplier_prospect"] = prospect
    w["criterion"] = make_criteria()[0]


def path_kwargs(name, side, w):
    if not name.startswith("suppliers:"):
        return None
    s = w[side]
    if name == "suppliers:evaluation-detail":
        return {"pk": s["evaluation"].pk}, False
    if name == "suppliers:certificate-download":
        return {"pk": s["supplier_cert"].pk}, False
    if name == "suppliers:criterion-edit":
        return {"pk": w["criterion"].pk}, True
    return {"code": s["supplier"].code, "to": "suspended"}, False


def markers(w) -> list[str]:
    return [w["out"]["supplier"].code]


def trail_targets(w, side) -> list:
    return [w[side]["supplier"], w[side]["evaluation"]]
