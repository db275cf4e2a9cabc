"""The audit question library (issue 12): the shipped questions cover every
auditable clause, the quality manager edits the library, checklists are
generated from it and keep their own copy of each question."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audits import services
from audits.models import AuditQuestion, ChecklistItem
from audits.question_library import QUESTIONS
from qms.clauses import CLAUSES
from qms.errors import DomainError, PermissionRefused
from qms.models import AuditEvent, Clause
from tests.audits.factories import REPORT_VALUES, clause, make_audit
from tests.factories import UserFactory, ensure_reference_data

pytestmark = pytest.mark.django_db

ANON_LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _reference_data(db):
    """A transactional test earlier in the run may have flushed what the migrations seed."""
    ensure_reference_data()


def _library(number: str) -> list[AuditQuestion]:
    return list(AuditQuestion.objects.filter(clause__number=number, is_active=True).order_by("position", "id"))


@pytest.fixture
def question():
    return _library("7.1.5.2")[0]


@pytest.fixture
def other_auditor(db):
    return UserFactory(username="aud2", full_name="Other Auditor", roles=["Auditor"])


# ------------------------------------------------------------------ the shipped library
def test_shipped_library_covers_every_auditable_clause_with_at_least_two_questions():
    """Auditable = every clause below chapter level, 4.1 to 10.3; each question says what evidence to look for."""
    auditable = {number for number, *_ in CLAUSES if "." in number}
    assert set(QUESTIONS) == auditable  # no clause forgotten, no number mistyped
    shipped = AuditQuestion.objects.filter(created_by=None, is_active=True)
    for number in auditable:
        rows = list(shipped.filter(clause__number=number))
        assert len(rows) >= 2, number
        assert all(q.guidance.strip() for q in rows), number
    assert not shipped.filter(clause__number__in=[n for n, *_ in CLAUSES if "." not in n]).exists()
    assert shipped.count() == sum(len(v) for v in QUESTIONS.values())


def test_shipped_questions_have_a_first_history_row():
    q = AuditQuestion.objects.filter(created_by=None).first()
    assert q.history.count() == 1
    assert q.history.get().history_change_reason == "Shipped with the system"


def test_loading_the_library_again_adds_nothing():
    from django.apps import apps

    from audits.question_library import load

    before = AuditQuestion.objects.count()
    assert load(apps) == 0
    assert AuditQuestion.objects.count() == before


# ------------------------------------------------------------------ access matrix
@pytest.mark.parametrize(("persona", "expected"), [
    ("quality_manager", 200), ("auditor", 200), ("staff", 403), ("author", 403), ("external_auditor", 403),
    ("outsider", 403),
])
def test_library_list_access(request, client_for, persona, expected):
    """The QM and internal auditors read the library; staff and external auditors do not."""
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("audits:question-list")).status_code == expected


@pytest.mark.parametrize("persona", ["auditor", "staff", "external_auditor", "outsider"])
def test_only_the_quality_manager_changes_the_library(request, client_for, persona, question):
    c = client_for(request.getfixturevalue(persona))
    assert c.get(reverse("audits:question-create")).status_code == 403
    assert c.post(reverse("audits:question-create"), {"clause": question.clause_id, "text": "Forged?"}).status_code == 403
    assert c.get(reverse("audits:question-edit", args=[question.pk])).status_code == 403
    assert c.post(reverse("audits:question-edit", args=[question.pk]),
                  {"clause": question.clause_id, "text": "Forged?"}).status_code == 403
    assert c.post(reverse("audits:question-deactivate", args=[question.pk])).status_code == 403
    question.refresh_from_db()
    assert question.is_active and question.text != "Forged?"
    assert not AuditQuestion.objects.filter(text="Forged?").exists()


def test_quality_manager_reaches_every_library_page(client_for, quality_manager, question):
    c = client_for(quality_manager)
    assert c.get(reverse("audits:question-create") + "?clause=7.1.5.2").status_code == 200
    assert c.get(reverse("audits:question-edit", args=[question.pk])).status_code == 200
    assert c.post(reverse("audits:question-deactivate", args=[question.pk])).status_code == 302
    assert c.post(reverse("audits:question-activate", args=[question.pk])).status_code == 302


def test_anonymous_is_sent_to_login(client, question):
    for url in (reverse("audits:question-list"), reverse("audits:question-create"),
                reverse("audits:question-edit", args=[question.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(ANON_LOGIN)
    response = client.post(reverse("audits:question-deactivate", args=[question.pk]))
    assert response.status_code == 302 and response["Location"].startswith(ANON_LOGIN)
    question.refresh_from_db()
    assert question.is_active


def test_state_changes_need_post(client_for, quality_manager, question):
    assert client_for(quality_manager).get(reverse("audits:question-deactivate", args=[question.pk])).status_code == 405
    question.refresh_from_db()
    assert question.is_active


def test_unknown_question_or_clause_is_404(client_for, quality_manager):
    c = client_for(quality_manager)
    assert c.get(reverse("audits:question-edit", args=[999999])).status_code == 404
    assert c.get(reverse("audits:question-list") + "?clause=99.9").status_code == 404


@pytest.mark.parametrize(("persona", "expected"), [
    ("quality_manager", 200), ("auditor", 200), ("other_auditor", 403), ("staff", 403), ("external_auditor", 403),
])
def test_pick_from_library_access(request, client_for, quality_manager, auditor, staff, production, persona, expected):
    """Only who may edit the audit's checklist (the QM, its auditors) picks questions for it."""
    audit = make_audit(quality_manager, auditor, production, auditees=[staff])
    c = client_for(request.getfixturevalue(persona))
    url = reverse("audits:checklist-library", args=[audit.pk])
    assert c.get(url).status_code == expected
    response = c.post(url, {"questions": [_library("8.5.1")[0].pk]})
    assert response.status_code == (302 if expected == 200 else expected)
    assert audit.checklist.count() == (1 if expected == 200 else 0)


def test_pick_from_library_is_closed_once_the_audit_is_reported(client_for, quality_manager, auditor, production,
                                                                password):
    audit = make_audit(quality_manager, auditor, production, state="in_progress")
    services.report_save(actor=auditor, audit=audit, values=REPORT_VALUES)
    services.report_issue(actor=auditor, audit=audit, password=password)
    audit.refresh_from_db()
    assert audit.status == "reported"
    response = client_for(auditor).post(reverse("audits:checklist-library", args=[audit.pk]),
                                        {"questions": [_library("8.5.1")[0].pk]})
    assert response.status_code == 403
    assert not audit.checklist.exists()
    with pytest.raises(DomainError, match="locked"):
        services.checklist_add_from_library(actor=auditor, audit=audit, questions=_library("8.5.1")[:1])


def test_library_tab_is_shown_to_who_can_use_it(client_for, quality_manager, auditor, staff):
    url = reverse("audits:question-list")
    assert url in client_for(quality_manager).get(reverse("audits:index")).content.decode()
    assert url in client_for(auditor).get(reverse("audits:index")).content.decode()
    assert url not in client_for(staff).get(reverse("audits:index")).content.decode()


# ------------------------------------------------------------------ generating checklists
def test_generate_puts_the_library_questions_of_each_clause_on_the_checklist(quality_manager, auditor, production):
    audit = make_audit(quality_manager, auditor, production, clauses=("7.1.5.2", "8.5.1"))
    library = _library("7.1.5.2") + _library("8.5.1")
    assert services.checklist_generate(actor=auditor, audit=audit) == len(library)
    items = list(audit.checklist.order_by("position"))
    assert [i.library_question_id for i in items] == [q.pk for q in library]  # clause order, then library order
    assert [(i.question, i.guidance, i.clause_id) for i in items] == [(q.text, q.guidance, q.clause_id) for q in library]
    assert not any(i.question.startswith("7.1.5.2 ") for i in items)  # no generic question where the library has some
    ev = AuditEvent.objects.filter(verb="audit.checklist_generated").get()
    assert ev.comment == f"{len(library)} questions added"


def test_criteria_clauses_bring_the_questions_of_their_sub_clauses_once(quality_manager, auditor, production):
    """Criteria 7.1.5 cover 7.1.5.1 and 7.1.5.2; naming 7.1.5.2 as well adds nothing twice."""
    audit = make_audit(quality_manager, auditor, production, clauses=("7.1.5", "7.1.5.2"))
    library = _library("7.1.5") + _library("7.1.5.1") + _library("7.1.5.2")
    assert services.checklist_generate(actor=auditor, audit=audit) == len(library)
    assert list(audit.checklist.order_by("position").values_list("library_question", flat=True)) == [
        q.pk for q in library]
    chapter = make_audit(quality_manager, auditor, production, clauses=("10",))
    services.checklist_generate(actor=auditor, audit=chapter)
    assert set(chapter.checklist.values_list("clause__number", flat=True)) == {"10.1", "10.2", "10.2.1", "10.2.2", "10.3"}
    assert not chapter.checklist.filter(library_question=None).exists()


def test_generate_keeps_a_generic_question_for_a_clause_the_library_lacks(quality_manager, auditor, production):
    for q in _library("10.3"):
        services.question_set_active(actor=quality_manager, question=q, active=False)
    audit = make_audit(quality_manager, auditor, production, clauses=("10.3", "8.6"))
    services.checklist_generate(actor=auditor, audit=audit)
    generic = audit.checklist.filter(clause=clause("10.3"))
    assert generic.count() == 1
    item = generic.get()
    assert item.library_question is None
    assert item.question.startswith("10.3 Continual improvement: how does Production meet it?")
    assert audit.checklist.filter(clause=clause("8.6")).count() == len(_library("8.6"))
    assert services.checklist_generate(actor=auditor, audit=audit) == 0


def test_picking_offers_the_sub_clauses_questions(client_for, quality_manager, auditor, production):
    audit = make_audit(quality_manager, auditor, production, clauses=("7.1.5",))
    body = client_for(auditor).get(reverse("audits:checklist-library", args=[audit.pk])).content.decode()
    assert all(q.text in body for q in _library("7.1.5.1") + _library("7.1.5.2"))
    sub = _library("7.1.5.2")[0]
    assert services.checklist_add_from_library(actor=auditor, audit=audit, questions=[sub]) == 1


def test_deactivated_questions_are_not_generated(client_for, quality_manager, auditor, production):
    first, *rest = _library("8.6")
    c = client_for(quality_manager)
    assert c.post(reverse("audits:question-deactivate", args=[first.pk])).status_code == 302
    first.refresh_from_db()
    assert not first.is_active
    ev = AuditEvent.objects.get(verb="question.deactivated")
    assert (ev.object_id, ev.from_state, ev.to_state) == (str(first.pk), "active", "inactive")
    audit = make_audit(quality_manager, auditor, production, clauses=("8.6",))
    assert services.checklist_generate(actor=auditor, audit=audit) == len(rest)
    assert not audit.checklist.filter(library_question=first).exists()
    # every question of the clause inactive: the generic question comes back
    for q in rest:
        services.question_set_active(actor=quality_manager, question=q, active=False)
    audit2 = make_audit(quality_manager, auditor, production, clauses=("8.6",))
    services.checklist_generate(actor=auditor, audit=audit2)
    assert list(audit2.checklist.values_list("library_question", flat=True)) == [None]
    # reactivated: generated again
    c.post(reverse("audits:question-activate", args=[first.pk]))
    assert AuditEvent.objects.filter(verb="question.reactivated", to_state="active").count() == 1
    audit3 = make_audit(quality_manager, auditor, production, clauses=("8.6",))
    services.checklist_generate(actor=auditor, audit=audit3)
    assert list(audit3.checklist.values_list("library_question", flat=True)) == [first.pk]


def test_editing_a_library_question_does_not_change_an_existing_checklist(client_for, quality_manager, auditor,
                                                                          production, question):
    audit = make_audit(quality_manager, auditor, production, clauses=("7.1.5.2",))
    services.checklist_generate(actor=auditor, audit=audit)
    item = audit.checklist.get(library_question=question)
    old_text, old_guidance = question.text, question.guidance
    response = client_for(quality_manager).post(reverse("audits:question-edit", args=[question.pk]), {
        "clause": question.clause_id, "text": "Which instruments are overdue for calibration today?",
        "guidance": "The overdue list", "position": question.position})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "Which instruments are overdue for calibration today?"
    item.refresh_from_db()
    assert (item.question, item.guidance, item.library_question_id) == (old_text, old_guidance, question.pk)
    assert item.history.count() == 1  # the audit record did not move
    assert question.history.first().history_change_reason == "Question edited"
    assert AuditEvent.objects.filter(verb="question.edited", object_id=str(question.pk)).exists()
    # a later audit gets the new wording
    later = make_audit(quality_manager, auditor, production, clauses=("7.1.5.2",))
    services.checklist_generate(actor=auditor, audit=later)
    assert later.checklist.get(library_question=question).question == "Which instruments are overdue for calibration today?"


def test_generate_twice_adds_only_questions_new_to_the_library(quality_manager, auditor, production):
    audit = make_audit(quality_manager, auditor, production, clauses=("9.2.2",))
    services.checklist_generate(actor=auditor, audit=audit)
    new = services.question_create(actor=quality_manager, clause=clause("9.2.2"), text="Who audits the auditors' own area?")
    assert services.checklist_generate(actor=auditor, audit=audit) == 1
    assert audit.checklist.order_by("-position").first().library_question == new


def test_auditor_picks_questions_from_the_library(client_for, quality_manager, auditor, production):
    audit = make_audit(quality_manager, auditor, production, clauses=("8.5.2", "8.6"))
    picked = [_library("8.5.2")[1], _library("8.6")[0]]
    c = client_for(auditor)
    page = c.get(reverse("audits:checklist-library", args=[audit.pk]))
    body = page.content.decode()
    assert all(q.text in body for q in _library("8.5.2") + _library("8.6"))
    assert _library("7.2")[0].text not in body  # not in the criteria
    response = c.post(reverse("audits:checklist-library", args=[audit.pk]), {"questions": [q.pk for q in picked]})
    assert response.status_code == 302
    items = list(audit.checklist.order_by("position"))
    assert [(i.library_question_id, i.question, i.guidance) for i in items] == [(q.pk, q.text, q.guidance) for q in picked]
    assert AuditEvent.objects.get(verb="audit.checklist_questions_added").comment == "2 questions added from the library"
    # already on the checklist: shown as such, and not added twice
    assert "on the checklist" in c.get(reverse("audits:checklist-library", args=[audit.pk])).content.decode()
    services.checklist_generate(actor=auditor, audit=audit)
    full = c.get(reverse("audits:checklist-library", args=[audit.pk])).content.decode()
    assert "Every library question of these clauses is on the checklist." in full and "Add to the checklist" not in full
    assert services.checklist_add_from_library(actor=auditor, audit=audit, questions=picked) == 0
    assert audit.checklist.count() == len(_library("8.5.2")) + len(_library("8.6"))  # generate skipped the picked two


def test_checklist_shows_the_evidence_to_look_for(client_for, quality_manager, auditor, production, question):
    audit = make_audit(quality_manager, auditor, production, clauses=("7.1.5.2",))
    services.checklist_generate(actor=auditor, audit=audit)
    body = client_for(auditor).get(reverse("audits:audit-detail", args=[audit.pk])).content.decode()
    assert question.guidance[:40] in body
    item = audit.checklist.get(library_question=question)
    assert question.guidance[:40] in client_for(auditor).get(reverse("audits:checklist-item", args=[item.pk])).content.decode()


def test_an_unassigned_auditor_cannot_pick_for_an_audit(quality_manager, auditor, other_auditor, production):
    audit = make_audit(quality_manager, auditor, production)
    with pytest.raises(PermissionRefused):
        services.checklist_add_from_library(actor=other_auditor, audit=audit, questions=_library("8.5.1")[:1])


# ------------------------------------------------------------------ editing the library
def test_quality_manager_adds_a_question_with_an_event(client_for, quality_manager):
    c = client_for(quality_manager)
    response = c.post(reverse("audits:question-create"), {
        "clause": clause("7.1.5.2").pk, "text": "  Show the calibration record of the torque wrench on line 2.  ",
        "guidance": "Certificate traceable to a national standard", "position": ""})
    assert response.status_code == 302
    q = AuditQuestion.objects.get(text="Show the calibration record of the torque wrench on line 2.")
    assert q.created_by == quality_manager and q.is_active
    assert q.position > max(x.position for x in _library("7.1.5.2") if x.pk != q.pk)  # last in its clause
    assert AuditEvent.objects.filter(verb="question.created", object_id=str(q.pk), actor=quality_manager).exists()
    assert q.history.get().history_user == quality_manager
    listing = c.get(reverse("audits:question-list") + "?clause=7.1.5.2").content.decode()
    assert "torque wrench on line 2" in listing


@pytest.mark.parametrize(("data", "error"), [
    ({"text": "   "}, "This field is required."),
    ({"text": "x" * 501}, "at most 500 characters"),
    ({"clause": 999999}, "Select a valid choice"),
    ({"clause": "abc"}, "Select a valid choice"),
    ({"position": "-1"}, "greater than or equal to 0"),
    ({"position": "first"}, "Enter a whole number"),
    ({"guidance": "g" * 2001}, "at most 2000 characters"),
])
def test_bad_library_input_is_a_form_error_and_changes_nothing(client_for, quality_manager, data, error):
    before = AuditQuestion.objects.count()
    post = {"clause": clause("8.6").pk, "text": "A new question?", "guidance": "", "position": "", **data}
    response = client_for(quality_manager).post(reverse("audits:question-create"), post)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert AuditQuestion.objects.count() == before
    assert not AuditEvent.objects.filter(verb="question.created").exists()


def test_a_duplicate_question_in_a_clause_is_a_form_error(client_for, quality_manager, question):
    c = client_for(quality_manager)
    response = c.post(reverse("audits:question-create"), {"clause": question.clause_id, "text": question.text})
    assert response.status_code == 400
    assert "already has this question" in response.content.decode()
    other = _library("7.1.5.2")[1]
    response = c.post(reverse("audits:question-edit", args=[other.pk]), {"clause": question.clause_id,
                                                                         "text": question.text})
    assert response.status_code == 400 and "already has this question" in response.content.decode()
    other.refresh_from_db()
    assert other.text != question.text


def test_bad_edit_changes_nothing(client_for, quality_manager, question):
    text = question.text
    response = client_for(quality_manager).post(reverse("audits:question-edit", args=[question.pk]),
                                                {"clause": question.clause_id, "text": "", "position": "x"})
    assert response.status_code == 400
    question.refresh_from_db()
    assert question.text == text and question.history.count() == 1


def test_deactivating_twice_says_so_and_changes_nothing(client_for, quality_manager, question):
    c = client_for(quality_manager)
    c.post(reverse("audits:question-deactivate", args=[question.pk]))
    response = c.post(reverse("audits:question-deactivate", args=[question.pk]), follow=True)
    assert "already inactive" in response.content.decode()
    assert AuditEvent.objects.filter(verb="question.deactivated").count() == 1


@pytest.mark.parametrize("bad", [
    {"questions": ["abc"]}, {"questions": ["999999"]}, {}, {"questions": ["inactive"]}, {"questions": ["outside"]},
])
def test_bad_picks_are_a_form_error_and_add_nothing(client_for, quality_manager, auditor, production, bad):
    audit = make_audit(quality_manager, auditor, production, clauses=("8.6",))
    inactive = _library("8.6")[0]
    services.question_set_active(actor=quality_manager, question=inactive, active=False)
    ids = {"inactive": str(inactive.pk), "outside": str(_library("7.2")[0].pk)}
    post = {"questions": [ids.get(v, v) for v in bad.get("questions", [])]}
    response = client_for(auditor).post(reverse("audits:checklist-library", args=[audit.pk]), post)
    assert response.status_code == 400
    body = response.content.decode()
    assert any(e in body for e in ("Select a valid choice", "is not a valid value", "Choose at least one question"))
    assert not audit.checklist.exists()


def test_services_refuse_inactive_or_out_of_criteria_questions(quality_manager, auditor, production):
    audit = make_audit(quality_manager, auditor, production, clauses=("8.6",))
    with pytest.raises(DomainError, match="not in this audit's criteria"):
        services.checklist_add_from_library(actor=auditor, audit=audit, questions=_library("7.2")[:1])
    q = _library("8.6")[0]
    services.question_set_active(actor=quality_manager, question=q, active=False)
    q.refresh_from_db()
    with pytest.raises(DomainError, match="no longer active"):
        services.checklist_add_from_library(actor=auditor, audit=audit, questions=[q])
    with pytest.raises(DomainError, match="at least one"):
        services.checklist_add_from_library(actor=auditor, audit=audit, questions=[])
    assert not audit.checklist.exists()


def test_a_used_question_cannot_be_deleted(quality_manager, auditor, production, question):
    from django.db.models import ProtectedError

    audit = make_audit(quality_manager, auditor, production, clauses=("7.1.5.2",))
    services.checklist_generate(actor=auditor, audit=audit)
    with pytest.raises(ProtectedError):
        question.delete()
    assert ChecklistItem.objects.filter(library_question=question).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers are PostgreSQL-only")
def test_the_database_refuses_deleting_library_questions_and_rewriting_their_history(question):
    for sql, params in (("DELETE FROM audits_auditquestion WHERE id = %s", [question.pk]),
                        ("UPDATE audits_historicalauditquestion SET text = 'forged' WHERE id = %s", [question.pk])):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, params)
    assert AuditQuestion.objects.filter(pk=question.pk).exists()


# ------------------------------------------------------------------ the list page
def test_library_list_filters_by_clause_words_and_state(client_for, auditor, quality_manager):
    q = _library("8.7.1")[0]
    services.question_set_active(actor=quality_manager, question=q, active=False)
    c = client_for(auditor)
    body = c.get(reverse("audits:question-list") + "?clause=8.7.1").content.decode()
    assert q.text not in body and _library("8.7.1")[0].text in body
    assert _library("8.6")[0].text not in body
    assert q.text in c.get(reverse("audits:question-list") + "?clause=8.7.1&show=inactive").content.decode()
    assert q.text in c.get(reverse("audits:question-list") + "?clause=8.7.1&show=all").content.decode()
    assert reverse("audits:question-edit", args=[q.pk]) not in c.get(
        reverse("audits:question-list") + "?clause=8.7.1&show=all").content.decode()  # auditors read, not edit
    assert reverse("audits:question-edit", args=[q.pk]) in client_for(quality_manager).get(
        reverse("audits:question-list") + "?clause=8.7.1&show=all").content.decode()
    found = c.get(reverse("audits:question-list") + "?q=torque+wrench+nobody+wrote").content.decode()
    assert "No questions" in found
    assert c.get(reverse("audits:question-list") + "?show=bogus&page=abc").status_code == 200


def test_library_list_query_count_does_not_grow_with_rows(client_for, quality_manager, auditor, production,
                                                          django_assert_max_num_queries):
    c = client_for(quality_manager)
    url = reverse("audits:question-list") + "?clause=8.5.1&show=all"
    c.get(url)  # warm caches (content types, session)
    with django_assert_max_num_queries(12) as small:
        assert len(c.get(url).context["page"]) == len(_library("8.5.1"))
    for i in range(15):
        q = services.question_create(actor=quality_manager, clause=clause("8.5.1"), text=f"Extra question {i}?")
        if i % 2:
            services.question_set_active(actor=quality_manager, question=q, active=False)
    audit = make_audit(quality_manager, auditor, production, clauses=("8.5.1",))
    services.checklist_generate(actor=auditor, audit=audit)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = c.get(url)
    rows = list(response.context["page"])
    assert len(rows) == AuditQuestion.objects.filter(clause__number="8.5.1").count()
    assert sum(r.n_uses for r in rows) == audit.checklist.count()


def test_clause_catalogue_and_library_agree_on_clause_numbers():
    """The migration loads by clause number: a number the catalogue lacks would be skipped silently."""
    assert set(QUESTIONS) <= set(Clause.objects.values_list("number", flat=True))
