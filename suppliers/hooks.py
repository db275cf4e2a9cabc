"""What this app gives the core's registries (called from SuppliersConfig.ready()):
registers, readiness evidence (8.4.1–8.4.3), the management review input
"external providers' performance", the Reference kind "supplier" for record
forms (incoming inspection), and the menu entries."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from qms import evidence, nav, references, registers, review_inputs, scope
from qms.i18n import in_sentence
from suppliers import selectors
from suppliers.models import Certificate, Evaluation, Supplier

S = Supplier.Status


def _refuse(supplier: Supplier) -> str | None:
    """Goods from a supplier that is not approved are not accepted on a new inspection record."""
    if supplier.status in (S.SUSPENDED, S.DISQUALIFIED, S.PROSPECTIVE):
        return (gettext("%(code)s %(name)s is %(status)s: it is not on the approved supplier list.")
                % {"code": supplier.code, "name": supplier.name, "status": in_sentence(supplier.get_status_display())})
    return None


def register_all() -> None:
    scope.links(Supplier, clauses="clause")
    scope.links(Evaluation, clauses="supplier__clause")
    scope.links(Certificate, clauses="supplier__clause")
    registers.declare(registers.Register(
        key="suppliers.suppliers", title="Supplier register", clause="8.4", rule="suppliers.view_suppliers",
        columns=selectors.REGISTER_COLUMNS, rows=selectors.register_rows, url_name="suppliers:index"))
    registers.declare(registers.Register(
        key="suppliers.approved", title="Approved supplier list", clause="8.4.1", rule="suppliers.view_suppliers",
        columns=selectors.APPROVED_COLUMNS, rows=selectors.approved_rows, url_name="suppliers:approved"))
    registers.declare(registers.Register(
        key="suppliers.evaluations", title="Supplier evaluations", clause="8.4.1", rule="suppliers.view_suppliers",
        columns=selectors.EVALUATION_COLUMNS, rows=selectors.evaluation_rows))
    evidence.provider(supplier_evidence)
    review_inputs.contributes("external_providers")(external_providers_input)
    references.register(references.Kind(
        key="supplier", label=gettext_lazy("Supplier"),
        choices=lambda: Supplier.objects.exclude(status=S.DISQUALIFIED).only("code", "name", "status")
        .order_by("name", "id"),
        identifier="code", refuse=_refuse, describe=lambda s: f"{s.code} {s.name}"))
    nav.entry("Resources", gettext_noop("Suppliers"), "suppliers:index", rule="suppliers.view_suppliers", prefix="/suppliers/",
              order=20)
    nav.entry("Resources", gettext_noop("Approved supplier list"), "suppliers:approved", rule="suppliers.view_suppliers",
              prefix="/suppliers/approved/", order=21)


def supplier_evidence(today) -> list[evidence.Evidence]:
    """8.4.1: approved suppliers evaluated on time; 8.4.2: incoming inspections
    and CAPAs monitor them; 8.4.3: each approved supplier's scope is written down."""
    # One query for the three counts of the suppliers in use (conditional aggregation).
    agg = Supplier.objects.filter(status__in=[S.APPROVED, S.CONDITIONAL]).aggregate(
        n=Count("id"), overdue=Count("id", filter=Q(next_evaluation_due__lt=today)),
        no_scope=Count("id", filter=Q(scope_of_approval="")))
    n_use, overdue, no_scope = agg["n"], agg["overdue"], agg["no_scope"]
    recent = Evaluation.objects.filter(evaluated_on__gte=today - timedelta(days=400)).count()
    url = reverse("suppliers:index")
    out = [evidence.Evidence(
        "8.4.1", gettext("Supplier evaluations"), count=recent, current=bool(n_use) and overdue == 0,
        reason=(gettext("%(count)s approved supplier(s) overdue for re-evaluation") % {"count": overdue} if overdue
                else "" if n_use else gettext("No approved supplier yet")), url=url)]
    out.append(evidence.Evidence(
        "8.4.2", gettext("Approved suppliers with monitored performance"), count=n_use, current=bool(n_use),
        reason="" if n_use else gettext("No approved supplier yet"), url=reverse("suppliers:approved")))
    out.append(evidence.Evidence(
        "8.4.3", gettext("Scope of approval communicated per supplier"), count=n_use - no_scope,
        current=bool(n_use) and no_scope == 0,
        reason=(gettext("%(count)s approved supplier(s) without a written scope of approval") % {"count": no_scope}
                if no_scope else ""),
        url=reverse("suppliers:approved")))
    return out


def external_providers_input(period: review_inputs.Period) -> review_inputs.Contribution:
    data = selectors.performance_summary(period.start, period.end)
    counts = data["counts"]
    on_time = (f"{data['on_time'] * 100 / data['delivered']:.1f} % ({data['on_time']} of {data['delivered']})"
               if data["delivered"] else "No deliveries entered")
    with translation.override(None):  # the pack is stored: it keeps the words untranslated
        facts = [(str(label), counts.get(value, 0)) for value, label in S.choices]
    facts += [("On-time delivery", on_time), ("Evaluations in the period", data["evaluations"]),
              ("Average evaluation score", data["average_score"] if data["average_score"] is not None else "—"),
              ("Supplier nonconformities raised", data["capas"]),
              ("Approved suppliers overdue for re-evaluation", data["overdue"])]
    tables = []
    if data["capas_by_supplier"]:
        tables.append(review_inputs.Table(["Supplier", "Nonconformities"],
                                          [[r["origin_label"], r["n"]] for r in data["capas_by_supplier"]],
                                          caption="Most nonconformities in the period"))
    if data["low_scores"]:
        tables.append(review_inputs.Table(["Supplier", "Date", "Score"],
                                          [[str(e.supplier), e.evaluated_on, e.score] for e in data["low_scores"]],
                                          caption="Evaluations below 50"))
    return review_inputs.Contribution(heading="External providers (8.4)", facts=facts, tables=tables,
                                      note=f"Compiled {timezone.localdate():%Y-%m-%d} from the supplier register.")
