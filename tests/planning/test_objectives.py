"""Quality objectives (6.2) with the 6.2.2 plan, KPIs entered or computed
(9.1.1), their charts against target and alert threshold, and missing
measurements flagged once their period has ended."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from planning import selectors, services
from planning.models import (
    Kpi,
    Measurement,
    Objective,
    last_closed_period,
    period_containing,
    periods_between,
)
from qms import dashboard, measures
from qms.errors import PermissionRefused
from qms.models import AuditEvent
from tests.planning.factories import kpi_data, last_month, make_kpi, make_objective, objective_data

pytestmark = pytest.mark.django_db


def test_periods_are_calendar_months_quarters_and_years():
    assert period_containing(date(2026, 5, 17), "monthly") == (date(2026, 5, 1), date(2026, 5, 31))
    assert period_containing(date(2026, 5, 17), "quarterly") == (date(2026, 4, 1), date(2026, 6, 30))
    assert period_containing(date(2026, 5, 17), "yearly") == (date(2026, 1, 1), date(2026, 12, 31))
    assert last_closed_period("monthly", date(2026, 1, 10)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert len(periods_between(date(2025, 1, 5), date(2025, 12, 1), "monthly")) == 12


def test_an_objective_carries_the_five_parts_of_its_plan(quality_manager):
    with pytest.raises(services.Invalid) as exc:
        make_objective(quality_manager, plan_resources="")
    assert exc.value.field == "plan_resources"
    objective = make_objective(quality_manager)
    assert objective.clauses.filter(number="6.2").exists()
    assert AuditEvent.objects.filter(verb="objective.created").exists()


def test_an_objective_due_before_its_start_is_a_form_error(client_for, quality_manager):
    data = objective_data(quality_manager.pk)
    data.update(start_date="2026-06-01", due_date="2026-01-01", target="95", baseline="", policy="", process="")
    r = client_for(quality_manager).post(reverse("planning:objective-create"), data)
    assert r.status_code == 200 and "before the start date" in r.content.decode()
    assert not Objective.objects.exists()


def test_a_kpi_target_without_unit_is_refused(client_for, quality_manager):
    objective = make_objective(quality_manager)
    with pytest.raises(services.Invalid, match="unit"):
        services.kpi_save(actor=quality_manager, objective=objective, data=kpi_data(quality_manager, unit=""))
    data = {k: ("" if v is None else getattr(v, "pk", v)) for k, v in kpi_data(quality_manager, unit="  ").items()}
    data["is_active"] = "on"
    r = client_for(quality_manager).post(reverse("planning:kpi-create", args=[objective.pk]), data)
    assert r.status_code == 200 and "needs a unit" in r.content.decode()
    assert not Kpi.objects.exists()


def test_an_alert_threshold_beyond_the_target_is_refused(quality_manager):
    with pytest.raises(services.Invalid, match="alert threshold"):
        make_kpi(quality_manager, warning=Decimal("97"))


def test_a_measurement_for_a_future_period_is_refused(client_for, quality_manager):
    kpi = make_kpi(quality_manager)
    future = timezone.localdate() + timedelta(days=45)
    with pytest.raises(services.Invalid, match="not begun"):
        services.measurement_record(actor=quality_manager, kpi=kpi, day=future, value=Decimal("96"))
    with pytest.raises(services.Invalid, match="once it has ended"):
        services.measurement_record(actor=quality_manager, kpi=kpi, day=timezone.localdate(), value=Decimal("96"))
    r = client_for(quality_manager).post(reverse("planning:measurement-add", args=[kpi.pk]),
                                         {"period": future.isoformat(), "value": "96"})
    assert r.status_code == 200 and "not begun" in r.content.decode()
    assert not Measurement.objects.exists()


def test_recording_a_measurement_moves_the_chart(client_for, quality_manager, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    kpi = make_kpi(quality_manager)
    c = client_for(quality_manager)
    before = c.get(kpi.get_absolute_url())
    assert before.context["chart"].empty and before.context["missing"]
    r = c.post(reverse("planning:measurement-add", args=[kpi.pk]),
               {"period": last_month().isoformat(), "value": "97.5", "comment": "From ERP",
                "evidence": SimpleUploadedFile("otd.csv", b"month,otd\n1,97.5\n", content_type="text/csv")})
    assert r.status_code == 302
    after = c.get(kpi.get_absolute_url())
    chart = after.context["chart"]
    assert chart.rows[-1][1] == 97.5 and chart.rows[-1][2] == 95.0  # value, target
    assert not after.context["missing"]
    m = Measurement.objects.get()
    assert m.evidence_name == "otd.csv" and len(m.evidence_sha256) == 64
    assert c.get(reverse("planning:measurement-evidence", args=[m.pk])).status_code == 200
    assert AuditEvent.objects.filter(verb="kpi.measured").exists()


def test_a_second_value_for_a_period_needs_a_reason(quality_manager):
    kpi = make_kpi(quality_manager)
    services.measurement_record(actor=quality_manager, kpi=kpi, day=last_month(), value=Decimal("90"))
    with pytest.raises(services.Invalid, match="why it is corrected"):
        services.measurement_record(actor=quality_manager, kpi=kpi, day=last_month(), value=Decimal("91"))
    services.measurement_record(actor=quality_manager, kpi=kpi, day=last_month(), value=Decimal("91"),
                                comment="ERP export was partial")
    m = Measurement.objects.get()
    assert m.value == Decimal("91") and m.history.count() == 2


def test_only_the_kpi_owner_or_qm_records(quality_manager, staff):
    kpi = make_kpi(quality_manager)
    with pytest.raises(PermissionRefused):
        services.measurement_record(actor=staff, kpi=kpi, day=last_month(), value=Decimal("90"))
    mine = make_kpi(quality_manager, owner=staff)
    services.measurement_record(actor=staff, kpi=mine, day=last_month(), value=Decimal("90"))


def test_missing_measurements_show_in_my_tasks(quality_manager, staff):
    kpi = make_kpi(quality_manager, owner=staff)
    keys = {s.key: s for s in dashboard.sections_for(staff)}
    section = keys["planning.measurements_missing"]
    assert section.total == 1 and section.items[0].url == kpi.get_absolute_url() and section.digest
    services.measurement_record(actor=staff, kpi=kpi, day=last_month(), value=Decimal("96"))
    keys = {s.key: s for s in dashboard.sections_for(staff)}
    assert keys["planning.measurements_missing"].total == 0


def test_a_kpi_starting_this_period_is_not_missing_yet(quality_manager):
    make_kpi(quality_manager, start_date=timezone.localdate().replace(day=1))
    assert not selectors.kpis_missing(quality_manager).exists()


def test_a_computed_kpi_takes_its_values_from_the_qms(quality_manager, monkeypatch):
    monkeypatch.setitem(measures._MEASURES, "test.constant", measures.Measure(
        "test.constant", "Constant", "%", "higher", lambda s, e: Decimal("80")))
    kpi = make_kpi(quality_manager, source="computed", measure="test.constant", data_source="")
    n = kpi.measurements.count()
    assert n == 12 and all(m.computed for m in kpi.measurements.all())
    assert services.kpi_refresh(actor=quality_manager, kpi=kpi) == 0
    with pytest.raises(PermissionRefused):
        services.measurement_record(actor=quality_manager, kpi=kpi, day=last_month(), value=Decimal("1"))
    assert not selectors.kpis_missing(quality_manager).exists()  # nobody enters a computed KPI


def test_the_six_built_in_measures_are_offered():
    codes = {m.code for m in measures.all_measures()}
    assert {"documents.reviews_on_time", "documents.acknowledgements_on_time", "audits.capa_closed_on_time",
            "audits.capa_median_age", "audits.programme_completion", "records.verified_in_time"} <= codes


@pytest.mark.parametrize("code", ["documents.reviews_on_time", "documents.acknowledgements_on_time",
                                  "audits.capa_closed_on_time", "audits.capa_median_age",
                                  "audits.programme_completion", "records.verified_in_time"])
def test_each_built_in_measure_says_none_for_an_empty_period(code, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert measures.get(code).value(date(2025, 1, 1), date(2025, 1, 31)) is None


def test_capa_measures_count_real_capas(quality_manager, staff):
    from audits import services as audit_services

    today = timezone.localdate()
    audit_services.capa_raise(actor=quality_manager, source="process", title="t", description="d", severity="minor",
                              owner=staff, due_date=today + timedelta(days=30))
    age = measures.get("audits.capa_median_age").value(today.replace(day=1), today)
    assert age is not None and age >= 0


def test_objective_pages_keep_their_query_count(client_for, quality_manager, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(quality_manager)
    for _ in range(2):
        kpi = make_kpi(quality_manager)
        services.measurement_record(actor=quality_manager, kpi=kpi, day=last_month(), value=Decimal("93"))
    urls = [reverse("planning:objectives"), kpi.get_absolute_url(), kpi.objective.get_absolute_url()]
    small = {}
    for url in urls:
        c.get(url)
        with CaptureQueriesContext(connection) as q:
            c.get(url)
        small[url] = len(q)
    for i in range(8):
        k = make_kpi(quality_manager, objective=kpi.objective if i % 2 else None)
        services.measurement_record(actor=quality_manager, kpi=k, day=last_month(), value=Decimal("99"))
    for month in range(2, 12):
        day = (timezone.localdate().replace(day=1) - timedelta(days=28 * month)).replace(day=1)
        services.measurement_record(actor=quality_manager, kpi=kpi, day=day, value=Decimal("90"))
    for url in urls:
        with django_assert_max_num_queries(small[url]):
            assert c.get(url).status_code == 200


def test_closing_an_objective_needs_an_evaluation(quality_manager, staff):
    objective = make_objective(quality_manager)
    with pytest.raises(services.Invalid):
        services.objective_close(actor=quality_manager, objective=objective, status="achieved", evaluation=" ")
    with pytest.raises(PermissionRefused):
        services.objective_close(actor=staff, objective=objective, status="achieved", evaluation="Met")
    services.objective_close(actor=quality_manager, objective=objective, status="achieved", evaluation="96 % all year")
    assert objective.status == "achieved"


def test_the_daily_task_refreshes_computed_kpis(quality_manager, monkeypatch):
    from planning.tasks import refresh_computed_kpis

    values = {"n": Decimal("70")}
    monkeypatch.setitem(measures._MEASURES, "test.later", measures.Measure(
        "test.later", "Later", "%", "higher", lambda s, e: values["n"] if s >= last_month() else None))
    kpi = make_kpi(quality_manager, source="computed", measure="test.later", data_source="")
    assert kpi.measurements.count() == 1
    assert refresh_computed_kpis() == 0


def test_the_objectives_list_is_paged(client_for, quality_manager, monkeypatch):
    from planning.views import objectives as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    made = [make_kpi(quality_manager).objective for _ in range(3)]
    c = client_for(quality_manager)
    first = c.get(reverse("planning:objectives") + "?status=all")
    second = c.get(reverse("planning:objectives") + "?status=all&page=2")
    assert first.status_code == second.status_code == 200
    on_first = [o for o in made if o.get_absolute_url() in first.content.decode()]
    on_second = [o for o in made if o.get_absolute_url() in second.content.decode()]
    assert len(on_first) == 2 and len(on_second) == 1 and not set(on_first) & set(on_second)
    assert "Page 1 of 2" in first.content.decode() and "3 objectives" in first.content.decode()
