"""The hooks through which the management-system apps plug into the core without
the core knowing them: charts, computed measures, management-review inputs,
readiness evidence and declared registers (as-of view, evidence packs, exports)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from auditor import readiness
from qms import charts, evidence, measures, registers, review_inputs
from qms.models import Clause


# ------------------------------------------------------------------ charts
def test_a_line_chart_keeps_its_numbers_for_the_table_fallback():
    chart = charts.line("Scrap rate", ["2026-01", "2026-02", "2026-03"], {"Scrap %": [2.5, None, 1.5]},
                        target=2, thresholds={"Alert": 3}, unit="%")
    assert chart.svg.startswith("<svg") and "Scrap rate" in chart.svg
    assert "<script" not in chart.svg.split("</defs>")[-1]
    assert chart.columns == ["", "Scrap %", "Target", "Alert"]
    assert chart.rows[0] == ["2026-01", 2.5, 2, 3] and chart.rows[1][1] is None
    assert chart.data_uri.startswith("data:image/svg+xml;base64,")


def test_a_chart_without_data_says_so():
    chart = charts.bars("Nothing", [], {})
    assert chart.empty and "No data yet" in chart.svg


# ------------------------------------------------------------------ measures
def test_measures_register_and_percent():
    m = measures.register("test.ratio", "Test ratio", unit="%", better="higher",
                          compute=lambda start, end: measures.percent(1, 3))
    assert measures.get("test.ratio") is m
    assert m.value(date(2026, 1, 1), date(2026, 1, 31)) == Decimal("33.3")
    assert measures.percent(0, 0) is None
    assert ("test.ratio", "Test ratio") in measures.choices()
    with pytest.raises(ValueError):
        measures.register("test.bad", "Bad", unit="%", better="sideways", compute=lambda s, e: None)


# ------------------------------------------------------------------ management review inputs
@pytest.mark.django_db
def test_every_input_is_listed_and_an_empty_one_shows_as_empty():
    period = review_inputs.Period(date(2026, 1, 1), date(2026, 12, 31))

    @review_inputs.contributes("resources")
    def resources(p):
        return review_inputs.Contribution("Headcount", facts=[("Days covered", (p.end - p.start).days)])

    sections = review_inputs.compile_inputs(period)
    assert [s.input.key for s in sections] == [i.key for i in review_inputs.INPUTS]
    res = next(s for s in sections if s.input.key == "resources")
    assert not res.empty and res.contributions[-1].facts == [("Days covered", 364)]
    with pytest.raises(KeyError):
        review_inputs.contributes("weather")


# ------------------------------------------------------------------ readiness evidence
@pytest.fixture
def register_evidence():
    added = []

    def add(func):
        evidence.provider(func)
        added.append(func)
        return func

    yield add
    for func in added:
        evidence._PROVIDERS.remove(func)


def _row(rows, number):
    return next(r for r in rows if r.clause.number == number)


@pytest.mark.django_db
def test_evidence_from_an_app_covers_a_clause_and_its_parents(register_evidence):
    assert _row(readiness.readiness(), "6.1.1").status == "gap"
    register_evidence(lambda today: [evidence.Evidence("6.1.1", "Risk register", count=15, current=True)])
    rows = readiness.readiness()
    row = _row(rows, "6.1.1")
    assert row.evidence and row.evidence[0].label == "Risk register"
    assert row.status == "stale" and row.reasons == ["Not audited in the current cycle"]
    assert _row(rows, "6.1").evidence and _row(rows, "6").evidence


@pytest.mark.django_db
def test_evidence_that_is_not_current_says_why(register_evidence):
    register_evidence(lambda today: [evidence.Evidence("4.1", "Context register", count=3, current=False,
                                                       reason="Context register not reviewed since 2025-01-10")])
    assert "Context register not reviewed since 2025-01-10" in _row(readiness.readiness(), "4.1").reasons


@pytest.mark.django_db
def test_readiness_export_csv_has_one_row_per_clause(client_for, quality_manager, register_evidence):
    register_evidence(lambda today: [evidence.Evidence("9.3", "Management review", count=1, current=True)])
    response = client_for(quality_manager).get(reverse("readiness-export") + "?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == readiness.EXPORT_HEADERS
    assert len(rows) - 1 == Clause.objects.count()
    row = next(r for r in rows if r[0] == "9.3")
    assert row[2] in ("covered", "stale") and row[10] == "Management review (1)"
    # The command prints the same rows.
    out = io.StringIO()
    call_command("readiness", "--format", "csv", stdout=out)
    assert list(csv.reader(io.StringIO(out.getvalue()))) == rows


@pytest.mark.django_db
def test_readiness_export_honours_the_external_auditors_scope(client_for, external_auditor, staff):
    access = external_auditor.auditor_access
    access.all_scope = False
    access.save()
    access.clauses.set([Clause.objects.get(number="8.5")])
    response = client_for(external_auditor).get(reverse("readiness-export"))
    numbers = [r[0] for r in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))][1:]
    assert "8.5.1" in numbers and "8" in numbers  # the clause, its sub-clauses and the clauses above
    assert "7.5" not in numbers and "9.3" not in numbers
    out = io.StringIO()
    call_command("readiness", "--as", "external", stdout=out)
    assert [r[0] for r in csv.reader(io.StringIO(out.getvalue()))][1:] == numbers
    assert client_for(staff).get(reverse("readiness-export")).status_code == 403


# ------------------------------------------------------------------ declared registers
@pytest.fixture
def clause_register():
    """A register over the clause catalogue: every clause, 'as of' a date = those created by then."""

    def rows(user, on):
        qs = Clause.objects.order_by("number")
        if on is not None:
            qs = qs.filter(pk__lte=Clause.objects.order_by("pk").values_list("pk", flat=True)[2]) if on < timezone.localdate() else qs
        return ([c.number, c.title] for c in qs)

    reg = registers.declare(registers.Register(
        key="test.clauses", title="Clause register", clause="4.3", rule="auditor.view_readiness",
        columns=["Number", "Title"], rows=rows,
    ))
    yield reg
    registers._REGISTERS.pop("test.clauses")


@pytest.mark.django_db
def test_a_declared_register_exports_under_its_rule(client_for, quality_manager, staff, clause_register):
    url = reverse("register-export", args=[clause_register.slug])
    response = client_for(quality_manager).get(url + "?format=xlsx")
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    response = client_for(quality_manager).get(url)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Number", "Title"] and len(rows) - 1 == Clause.objects.count()
    assert client_for(staff).get(url).status_code == 403
    assert client_for(quality_manager).get(reverse("register-export", args=["no-such"])).status_code == 404


@pytest.mark.django_db
def test_a_declared_register_as_it_stood(client_for, quality_manager, clause_register):
    client = client_for(quality_manager)
    url = reverse("auditor:asof-register", args=[clause_register.slug])
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.get(url + f"?on={yesterday}")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 3
    assert client.get(url + "?on=2999-01-01").status_code == 400
    # The register is a tab of every as-of page.
    assert clause_register.title in client.get(reverse("auditor:asof-documents") + f"?on={yesterday}").content.decode()


@pytest.mark.django_db
def test_an_evidence_pack_carries_the_declared_registers(quality_manager, clause_register):
    from auditor.pack_builder import PackScope, pack_entries
    from qms.models import Job

    job = Job.objects.create(kind="evidence_pack", requested_by=quality_manager, params={})
    scope = PackScope(clause_numbers=(), start=timezone.localdate() - timedelta(days=30),
                      end=timezone.localdate() - timedelta(days=1))
    entries = [e for e in pack_entries(job, quality_manager, scope) if e.path.startswith("registers/")]
    from qms import registers as declared

    # One CSV per declared register (the apps' and this test's), each named by its slug.
    assert [e.path for e in entries] == [f"registers/{r.slug}.csv" for r in declared.all_registers()]
    assert "registers/test-clauses.csv" in [e.path for e in entries]
    body = next(e for e in entries if e.path == "registers/test-clauses.csv").open().read().decode("utf-8-sig")
    assert body.splitlines()[0] == "Number,Title" and len(body.splitlines()) == 4
