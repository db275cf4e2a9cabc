"""Every list operation of the API costs the same number of queries however many rows it
shows (issue 16): the quality manager reads each list with one row, then with five
more; the count may not grow (django_assert_max_num_queries), and the rows show.

The lists are taken from the OpenAPI document (a GET with the cursor parameter):
a new list without a row maker in MORE fails the test."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
EXTRA = 5
_n = itertools.count(1)


def _list_paths() -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(path for path, ops in schema["paths"].items()
                  if "get" in ops and any(p["name"] == "cursor" for p in ops["get"].get("parameters", [])))


# ------------------------------------------------------------------ one more row of each list
def _document(p):
    from tests.documents.factories import make_draft

    make_draft(p["author"], title=f"Procedure {next(_n)}")


def _revision(p):
    from tests.documents.factories import new_revision

    new_revision(p["author"], p["approver"], p["doc"], content=f"# Purpose\nVersion {next(_n)}.")


def _record_type(p):
    from tests.records.factories import make_type

    make_type(f"T{next(_n)}", verification_required=False)


def _record(p):
    from tests.records.factories import make_record

    make_record(p["staff"], p["rt"])


def _audit(p):
    from tests.audits.factories import make_audit

    make_audit(p["qm"], p["auditor"], p["prd"], state="in_progress",
               start=timezone.now() + timedelta(days=next(_n)))


def _finding(p):
    from audits import services
    from tests.audits.factories import clause

    services.finding_raise(actor=p["auditor"], audit=p["audit"], finding_type="ofi", clause=clause("8.5.1"),
                           statement=f"Finding {next(_n)}", owner=p["staff"], process=p["prd"])


def _capa(p):
    from audits import services

    services.capa_raise(actor=p["staff"], source="process", title=f"NC {next(_n)}", description="d",
                        severity="minor", owner=p["staff"])


def _evidence_request(p):
    from auditor import services

    services.request_evidence(actor=p["external"], subject=f"Records {next(_n)}")


def _job(p):
    from qms.models import Job

    Job.objects.create(kind="record_pdf", requested_by=p["qm"])


def _notification(p):
    from qms.notifications import notify

    notify(p["qm"], title=f"Note {next(_n)}", url="/")


def _user(p):
    from qms.permissions import Role

    UserFactory(roles=[Role.STAFF])


def _instrument(p):
    from tests.equipment.factories import make_instrument

    make_instrument(p["qm"], code=f"MIC-{next(_n)}", owner=p["staff"])


def _supplier(p):
    from tests.suppliers.factories import make_supplier

    make_supplier(p["qm"], name=f"Supplier {next(_n)}")


def _evaluation(p):
    from tests.suppliers.factories import evaluate, make_supplier

    evaluate(p["qm"], make_supplier(p["qm"], name=f"Evaluated {next(_n)}"))


def _certificate(p):
    from suppliers import services
    from tests.suppliers.factories import make_supplier

    services.certificate_add(actor=p["qm"], supplier=make_supplier(p["qm"], name=f"Certified {next(_n)}"),
                             standard="ISO 9001:2015", valid_until=timezone.localdate() + timedelta(days=400))


def _criterion(p):
    from suppliers import services
    from suppliers.models import Criterion

    services.criterion_save(actor=p["qm"], criterion=Criterion(name=f"Criterion {next(_n)}", weight=10))


def _qualification(p):
    from tests.records.factories import make_type
    from training import services

    services.qualification_set(actor=p["qm"], record_type=make_type(f"Q{next(_n)}", verification_required=False),
                               competences=[p["competence"]])


def _competence(p):
    from tests.training.factories import make_competence

    make_competence(p["qm"], code=f"C-{next(_n)}", documents=[p["doc"]])


def _role(p):
    from tests.training.factories import make_role

    make_role(p["qm"], code=f"R-{next(_n)}", competences=[p["competence"]])


def _person(p):
    from tests.training.factories import make_person

    make_person(p["qm"], name=f"Person {next(_n)}", roles=[p["role"]])


def _training_record(p):
    from tests.training.factories import make_person, make_record

    person = make_person(p["qm"], name=f"Trainee {next(_n)}", roles=[p["role"]])
    make_record(p["qm"], person, p["competence"], p["approver"])


def _issue(p):
    from planning import services
    from tests.planning.factories import issue_data

    services.issue_save(actor=p["qm"], data=issue_data(p["qm"], title=f"Issue {next(_n)}"))


def _party(p):
    from planning import services
    from tests.planning.factories import party_data

    services.party_save(actor=p["qm"], data=party_data(p["qm"], name=f"Party {next(_n)}"))


def _risk(p):
    from tests.planning.factories import make_risk

    make_risk(p["qm"], title=f"Risk {next(_n)}", owner=p["staff"])


def _objective(p):
    from tests.planning.factories import make_objective

    make_objective(p["qm"])


def _kpi(p):
    from tests.planning.factories import make_kpi

    make_kpi(p["qm"], p["objective"])


def _complaint(p):
    from tests.reviews.factories import make_complaint

    make_complaint(p["qm"], customer=f"Customer {next(_n)}")


def _survey(p):
    from tests.reviews.factories import make_survey

    make_survey(p["qm"], months_ago=next(_n) % 12 + 1)


def _review(p):
    from tests.reviews.factories import make_review

    make_review(p["qm"], chair=p["approver"], attendees=[p["staff"]], title=f"Review {next(_n)}")


def _webhook(p):
    from api import webhooks

    webhooks.endpoint_create(actor=p["qm"], name=f"ERP {next(_n)}", url="http://127.0.0.1:9/hook",
                             events=["document.created"])


def _delivery(p):
    from api import webhooks

    webhooks.send_test(actor=p["qm"], endpoint=p["webhook"])


def _review_action(p):
    from reviews import services

    services.decision_add(actor=p["qm"], review=p["review"], kind="improvement", text=f"Decision {next(_n)}",
                          action_description="Do it", action_owner=p["staff"],
                          action_due_date=timezone.localdate() + timedelta(days=30))


def _approved_supplier(p):
    from tests.suppliers.factories import approved_supplier

    approved_supplier(p["qm"], name=f"Approved {next(_n)}")


def _measured(p):
    from records import services

    services.record_create(actor=p["staff"], record_type=p["measurement_type"],
                           values={"gauge": p["instrument"].code, "reading": str(next(_n))})


MORE = {
    "/api/v1/documents/": _document,
    "/api/v1/documents/{document_number}/revisions/": _revision,
    "/api/v1/record-types/": _record_type,
    "/api/v1/records/": _record,
    "/api/v1/audits/": _audit,
    "/api/v1/findings/": _finding,
    "/api/v1/capas/": _capa,
    "/api/v1/evidence-requests/": _evidence_request,
    "/api/v1/jobs/": _job,
    "/api/v1/notifications/": _notification,
    "/api/v1/users/": _user,
    "/api/v1/instruments/": _instrument,
    "/api/v1/suppliers/": _supplier,
    "/api/v1/supplier-evaluations/": _evaluation,
    "/api/v1/supplier-certificates/": _certificate,
    "/api/v1/supplier-criteria/": _criterion,
    "/api/v1/competences/": _competence,
    "/api/v1/qualifications/": _qualification,
    "/api/v1/job-roles/": _role,
    "/api/v1/people/": _person,
    "/api/v1/training-records/": _training_record,
    "/api/v1/training-matrix/": _person,
    "/api/v1/context-issues/": _issue,
    "/api/v1/interested-parties/": _party,
    "/api/v1/risks/": _risk,
    "/api/v1/objectives/": _objective,
    "/api/v1/kpis/": _kpi,
    "/api/v1/complaints/": _complaint,
    "/api/v1/surveys/": _survey,
    "/api/v1/management-reviews/": _review,
    "/api/v1/webhooks/": _webhook,
    "/api/v1/webhooks/{id}/deliveries/": _delivery,
    "/api/v1/decisions/": _review_action,
    "/api/v1/suppliers/approved/": _approved_supplier,
    "/api/v1/instruments/{code}/impact/": _measured,
}


def test_every_list_of_the_schema_has_a_row_maker():
    missing = [p for p in _list_paths() if p not in MORE]
    assert not missing, f"Give these lists a row maker in MORE: {missing}"
    assert not set(MORE) - set(_list_paths()), "MORE names a list the schema no longer has"


@pytest.fixture
def people(quality_manager, author, approver, staff, auditor, external_auditor, settings):
    from tests.audits.factories import make_audit, make_process
    from tests.documents.factories import make_effective
    from tests.planning.factories import make_objective
    from tests.records.factories import make_type
    from tests.training.factories import make_competence, make_role

    p = {"qm": quality_manager, "author": author, "approver": approver, "staff": staff, "auditor": auditor,
         "external": external_auditor}
    p["doc"] = make_effective(author, approver, title="Machine set-up")
    p["rt"] = make_type("CAL", verification_required=False)
    p["prd"] = make_process()
    p["audit"] = make_audit(quality_manager, auditor, p["prd"], state="in_progress")
    p["competence"] = make_competence(quality_manager, code="BASE-C")
    p["role"] = make_role(quality_manager, code="BASE-R", competences=[p["competence"]])
    p["objective"] = make_objective(quality_manager)
    from tests.equipment.factories import make_instrument, measurement_type
    from tests.reviews.factories import make_review

    p["review"] = make_review(quality_manager, chair=approver, attendees=[staff])
    p["instrument"] = make_instrument(quality_manager, code="GAUGE-1", owner=staff)
    p["measurement_type"] = measurement_type()
    settings.WEBHOOKS_ALLOW_HTTP = True  # the endpoints point at loopback; nothing is sent here
    from api import webhooks

    p["webhook"] = webhooks.endpoint_create(actor=quality_manager, name="Base", url="http://127.0.0.1:9/base",
                                            events=["document.created"]).endpoint
    return p


@pytest.mark.parametrize("template", sorted(MORE))
def test_a_list_costs_the_same_queries_with_more_rows(template, people, api_for, django_assert_max_num_queries):
    q = api_for(people["qm"])
    url = (template.replace("{document_number}", people["doc"].number).replace("{id}", str(people["webhook"].pk))
           .replace("{code}", people["instrument"].code))
    MORE[template](people)
    q.get(url)  # warm the caches (content types, roles, the risk scale)
    with CaptureQueriesContext(connection) as few:
        response = q.get(url)
    assert response.status_code == 200, response.content
    before = len(response.json()["results"])
    for _ in range(EXTRA):
        MORE[template](people)
    with django_assert_max_num_queries(len(few)):
        response = q.get(url)
    assert response.status_code == 200
    assert len(response.json()["results"]) >= before + EXTRA, "the new rows must show for the count to mean anything"



# ------------------------------------------------------------------ reads that are not cursor lists
def _expiring(p):
    from tests.training.factories import make_competence, make_person, make_record, make_role

    comp = make_competence(p["qm"], code=f"EXP-{next(_n)}", validity_months=12)
    person = make_person(p["qm"], name=f"Expiring {next(_n)}", roles=[make_role(p["qm"], code=f"ER-{next(_n)}",
                                                                                  competences=[comp])])
    make_record(p["qm"], person, comp, p["approver"], days_ago=360)


def _my_training(p):
    from tests.training.factories import make_record

    make_record(p["qm"], p["me"], p["competence"], p["approver"], days_ago=next(_n))


def _scored(p):
    from tests.suppliers.factories import evaluate

    evaluate(p["qm"], p["supplier"])


def _packed(p):
    from reviews import services

    _complaint(p)
    services.review_compile(actor=p["qm"], review=p["review"])


PAGES = {  # the reads that are a page, a file or a summary: url, row maker, what counts the rows
    "expiring": ("/api/v1/training-matrix/expiring/", _expiring, lambda r: len(r.json()["results"])),
    "matrix-export": ("/api/v1/training-matrix/export/?file_format=csv", _person,
                      lambda r: r.content.decode().count("\n")),
    "matrix-export-xlsx": ("/api/v1/training-matrix/export/?file_format=xlsx", _person, lambda r: len(r.content)),
    "complaint-export": ("/api/v1/complaints/export/", _complaint, lambda r: r.content.decode().count("\n")),
    "my-training": ("/api/v1/people/me/", _my_training, lambda r: len(r.json()["records"])),
    "heatmap": ("/api/v1/risks/heatmap/", _risk, lambda r: r.json()["total"]),
    "scorecard": ("/api/v1/suppliers/{supplier}/scorecard/", _scored, lambda r: len(r.json()["evaluations"])),
    "pack": ("/api/v1/management-reviews/{review}/pack/", _packed, lambda r: 1),  # the stored pack: one row
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_read_costs_the_same_queries_with_more_rows(name, people, api_for, django_assert_max_num_queries):
    from tests.suppliers.factories import approved_supplier
    from tests.training.factories import make_person

    people["me"] = make_person(people["qm"], name="Quinn as trainee", roles=[people["role"]], user=people["qm"])
    supplier = people["supplier"] = approved_supplier(people["qm"], name="Scored")
    url, more, rows = PAGES[name]
    url = url.replace("{supplier}", supplier.code).replace("{review}", str(people["review"].pk))
    q = api_for(people["qm"])
    more(people)
    q.get(url)  # warm the caches
    with CaptureQueriesContext(connection) as few:
        response = q.get(url)
    assert response.status_code == 200, response.content
    before = rows(response)
    for _ in range(EXTRA):
        more(people)
    with django_assert_max_num_queries(len(few)):
        response = q.get(url)
    assert response.status_code == 200
    if rows(response) != 1:
        assert rows(response) >= before + EXTRA, "the new rows must show for the count to mean anything"
