"""CAPA and evidence forms look numbers up only among what the user may see:
a record (or document revision) the user may not see gets exactly the answer
an unknown number gets, so the forms tell nobody which numbers exist."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audits import services
from audits.models import Capa, CapaAction, Evidence
from qms.errors import DomainError
from tests.audits.factories import make_record
from tests.documents.factories import make_draft

pytestmark = pytest.mark.django_db


def _raise(client, number):
    return client.post(reverse("capa:capa-create"), {
        "source": "complaint", "title": "Late delivery", "description": "d", "severity": "minor",
        "owner": client.session["_auth_user_id"], "record_number": number})


def _error(response, number):
    """The page with the looked-up number (and the per-response CSRF token) taken out: what the lookup told."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'"csrfToken": "[^"]+"|X-CSRFToken": "[^"]+"', "", page).replace(number, "NUMBER")


def test_an_invisible_record_and_an_unknown_one_get_the_identical_answer(client_for, staff, author):
    make_record(author, number="CC-SECRET-1")  # the author's own record: staff may not read it
    client = client_for(staff)
    invisible, unknown = _raise(client, "CC-SECRET-1"), _raise(client, "CC-NONE-01")
    assert invisible.status_code == unknown.status_code == 200
    assert "No record numbered “CC-SECRET-1”." in invisible.content.decode()
    assert _error(invisible, "CC-SECRET-1") == _error(unknown, "CC-NONE-01")
    assert not Capa.objects.exists()


def test_a_record_the_user_may_see_is_found(client_for, staff, quality_manager, author):
    make_record(author, number="CC-SEEN-1")
    make_record(staff, number="CC-MINE-1")
    assert _raise(client_for(staff), "CC-MINE-1").status_code == 302  # their own
    assert _raise(client_for(quality_manager), "CC-SEEN-1").status_code == 302  # the QM reads every record
    assert sorted(Capa.objects.values_list("source_record__number", flat=True)) == ["CC-MINE-1", "CC-SEEN-1"]


def test_the_service_refuses_a_source_record_the_actor_may_not_see(staff, author):
    hidden = make_record(author, number="CC-SECRET-2")
    with pytest.raises(DomainError, match="No record numbered “CC-SECRET-2”"):
        services.capa_raise(actor=staff, source="complaint", title="t", description="d", severity="minor",
                            owner=staff, source_record=hidden)


@pytest.fixture
def open_action(quality_manager, staff):
    capa = services.capa_raise(actor=quality_manager, source="process", title="Jig", description="d",
                               severity="minor", owner=staff)
    services.capa_analyse(actor=quality_manager, capa=capa, ca_needed=True, justification="j", whys=["w"],
                          root_cause="rc")
    action = services.capa_action_add(actor=quality_manager, capa=capa, description="Fix the jig", owner=staff,
                                      due_date=timezone.localdate())
    services.capa_start_actions(actor=quality_manager, capa=capa)
    return action


def _complete(client, action, **evidence):
    return client.post(reverse("capa:action-complete", args=[action.pk]), {"note": "Done", **evidence})


def test_action_evidence_by_record_number_answers_only_within_what_the_owner_sees(client_for, staff, author,
                                                                                  open_action):
    make_record(author, number="EV-SECRET-1")
    client = client_for(staff)
    invisible = _complete(client, open_action, ev_record="EV-SECRET-1")
    unknown = _complete(client, open_action, ev_record="EV-NONE-001")
    assert "No record numbered “EV-SECRET-1”." in invisible.content.decode()
    assert _error(invisible, "EV-SECRET-1") == _error(unknown, "EV-NONE-001")
    open_action.refresh_from_db()
    assert open_action.status == CapaAction.Status.OPEN and not Evidence.objects.exists()
    make_record(staff, number="EV-MINE-01")
    assert _complete(client, open_action, ev_record="EV-MINE-01").status_code == 302
    assert Evidence.objects.get().record.number == "EV-MINE-01"


def test_action_evidence_by_document_answers_only_within_what_the_owner_sees(client_for, staff, author,
                                                                             open_action):
    draft = make_draft(author, title="Unreleased", content="Not for staff.")  # no effective revision: staff cannot see it
    label = draft.latest_revision.label
    client = client_for(staff)
    invisible = _complete(client, open_action, ev_document=draft.number, ev_revision_label=label)
    unknown = _complete(client, open_action, ev_document="SOP-NO-999", ev_revision_label=label)
    assert f"No revision {label} of document “{draft.number}”." in invisible.content.decode()
    assert _error(invisible, draft.number) == _error(unknown, "SOP-NO-999")
    assert not Evidence.objects.exists()
