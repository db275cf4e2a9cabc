"""Training pages: access per persona, bad input, and flat query counts."""

import pytest
from django.urls import reverse

from tests.training.factories import make_competence, make_person, make_record, make_role
from training.models import Competence

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(quality_manager, approver, staff, author):
    from tests.documents.factories import make_effective

    doc = make_effective(author, approver, title="Operate the lathe")
    read = make_competence(quality_manager, "SOP-LATHE", kind=Competence.Kind.READ, documents=[doc])
    course = make_competence(quality_manager, "FORK", validity_months=12)
    role = make_role(quality_manager, "OP", [read, course])
    person = make_person(quality_manager, "Sam Lee", roles=[role], user=staff)
    other = make_person(quality_manager, "Nora No-Login", roles=[role])
    rec = make_record(quality_manager, person, course, approver)
    return {"doc": doc, "read": read, "course": course, "role": role, "person": person, "other": other, "rec": rec}


QM_PAGES = ["training:matrix", "training:people", "training:expiring", "training:qualifications",
            "training:role-create", "training:competence-create", "training:person-create"]
EVERYONE = ["training:roles", "training:records", "training:mine"]


@pytest.mark.parametrize("name", QM_PAGES + EVERYONE)
def test_quality_manager_sees_every_page(client_for, quality_manager, world, name):
    assert client_for(quality_manager).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", QM_PAGES)
def test_staff_is_refused_the_managers_pages(client_for, staff, world, name):
    assert client_for(staff).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", EVERYONE)
def test_staff_sees_their_own_pages(client_for, staff, world, name):
    assert client_for(staff).get(reverse(name)).status_code == 200


def test_anonymous_goes_to_login(client, world):
    assert client.get(reverse("training:matrix")).status_code == 302


def test_object_pages(client_for, quality_manager, staff, outsider, world):
    qm = client_for(quality_manager)
    for url in (world["role"].get_absolute_url(), world["read"].get_absolute_url(),
                world["person"].get_absolute_url(), world["rec"].get_absolute_url(),
                reverse("training:role-edit", args=[world["role"].pk]),
                reverse("training:competence-edit", args=[world["read"].pk]),
                reverse("training:person-edit", args=[world["person"].pk])):
        assert qm.get(url).status_code == 200, url
    # The trainee reads their own record and profile; an outsider does not.
    assert client_for(staff).get(world["rec"].get_absolute_url()).status_code == 200
    assert client_for(staff).get(world["person"].get_absolute_url()).status_code == 200
    assert client_for(staff).get(world["other"].get_absolute_url()).status_code == 404
    assert client_for(outsider).get(world["rec"].get_absolute_url()).status_code == 404


def test_matrix_shows_states_and_counts(client_for, quality_manager, world):
    html = client_for(quality_manager).get(reverse("training:matrix")).content.decode()
    assert "SOP-LATHE" in html and "FORK" in html and "Nora No-Login" in html
    assert "status-missing" in html and "status-current" in html


def test_matrix_filters_by_role_and_department_and_ignores_bad_input(client_for, quality_manager, world):
    qm = client_for(quality_manager)
    r = qm.get(reverse("training:matrix"), {"role": world["role"].pk, "department": world["person"].department_id})
    assert r.status_code == 200 and "Sam Lee" in r.content.decode()
    assert qm.get(reverse("training:matrix"), {"role": "x", "page": "-1", "cols": "zz"}).status_code == 200


def test_matrix_exports(client_for, quality_manager, world):
    qm = client_for(quality_manager)
    csv = qm.get(reverse("training:matrix-export", args=["csv"]))
    assert csv.status_code == 200 and b"SOP-LATHE" in csv.content and b"Missing" in csv.content
    assert qm.get(reverse("training:matrix-export", args=["xlsx"])).status_code == 200
    assert qm.get(reverse("training:matrix-export", args=["pdfx"])).status_code == 404
    assert qm.post(reverse("training:matrix-pdf")).status_code == 302


def test_matrix_query_count_is_flat(client_for, quality_manager, approver, world, django_assert_max_num_queries):
    qm = client_for(quality_manager)
    url = reverse("training:matrix")
    qm.get(url)
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # both measured cold: the column counts are cached until the data changes
    with CaptureQueriesContext(connection) as small:
        qm.get(url)
    comps = [make_competence(quality_manager, f"C{i}", validity_months=6) for i in range(15)]
    role = make_role(quality_manager, "BIG", comps)
    for i in range(30):
        p = make_person(quality_manager, f"Person {i}", roles=[role, world["role"]])
        if i % 3 == 0:
            make_record(quality_manager, p, comps[i % 15], approver, days_ago=170)
    cache.clear()
    with django_assert_max_num_queries(len(small)):
        r = qm.get(url)
    assert "Person 29" in r.content.decode() or "Person 3" in r.content.decode()
    with django_assert_max_num_queries(len(small) - 1):  # warm: the column counts come from the cache
        qm.get(url)


def test_column_counts_follow_a_change(client_for, quality_manager, approver, world):
    from training import matrix, selectors

    page = selectors.matrix_page(quality_manager, selectors.Filters())
    col = [c.pk for c in page.columns].index(world["read"].pk)
    assert page.column_counts[col].get(matrix.CURRENT) == 0
    make_record(quality_manager, world["other"], world["read"], approver, days_ago=0)
    page = selectors.matrix_page(quality_manager, selectors.Filters())
    assert page.column_counts[col].get(matrix.CURRENT) == 1


def test_document_page_shows_dependent_roles(client_for, quality_manager, staff, world):
    html = client_for(quality_manager).get(world["doc"].get_absolute_url()).content.decode()
    assert "Job roles that depend on this document" in html and "OP Role OP" in html
    assert "training-out-of-date" in html
    # Staff do not get the panel (the matrix is the manager's).
    assert "Job roles that depend" not in client_for(staff).get(world["doc"].get_absolute_url()).content.decode()


def test_registers_now_and_as_of(quality_manager, world):
    from datetime import timedelta

    from django.utils import timezone

    from qms import registers

    roles = registers.get("training.roles")
    rows = list(roles.rows(quality_manager, None))
    assert ["OP", "Role OP", "FORK"] == rows[0][:3] or any(r[2] == "FORK" for r in rows)
    assert list(roles.rows(quality_manager, timezone.localdate())) == rows
    assert list(roles.rows(quality_manager, timezone.localdate() - timedelta(days=30))) == []
    recs = list(registers.get("training.records").rows(quality_manager, None))
    assert recs and recs[0][1] == "Sam Lee"
    assert list(registers.get("training.records").rows(quality_manager, timezone.localdate()))[0][1] == "Sam Lee"


def test_register_export_and_evidence_and_review_input(client_for, quality_manager, world):
    from django.utils import timezone

    from qms import evidence, review_inputs

    r = client_for(quality_manager).get(reverse("register-export", args=["training-records"]) + "?format=csv")
    assert r.status_code == 200
    found = [e for e in evidence.collect(timezone.localdate()) if e.clause in ("7.2", "7.3")]
    assert {e.clause for e in found} == {"7.2", "7.3"}
    today = timezone.localdate()
    sections = review_inputs.compile_inputs(review_inputs.Period(today.replace(day=1), today))
    resources = next(s for s in sections if s.input.key == "resources")
    assert any("Competence" in c.heading for c in resources.contributions)


def test_dashboard_lists_expiring_and_records_to_sign(client_for, quality_manager, approver, staff, world):
    from qms import dashboard
    from training import services

    services.record_create(actor=quality_manager, person=world["person"], competence=world["course"],
                           trained_on=timezone_today(), trainer=approver, method="classroom", result="competent",
                           effectiveness_method="Observe")
    keys = {s.key for s in dashboard.sections_for(approver)}
    assert "training.to_sign" in keys
    assert "training.expiring" in {s.key for s in dashboard.sections_for(quality_manager)}
    assert "training.my_expiring" in {s.key for s in dashboard.sections_for(staff)}


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()
