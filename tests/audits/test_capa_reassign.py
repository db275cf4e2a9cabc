"""A CAPA gets a new owner (issue 18: the owner left, or the problem belongs to
another process): the quality manager, with a reason, one at a time from the
CAPA's page or for the ticked CAPAs of the register (qms/bulk.py), each through
the same service. An effective or closed CAPA keeps its owner; the new owner
is told; the trail says who, from whom, to whom and why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits import services
from audits.models import Capa
from qms.models import AuditEvent, Notification
from tests.factories import PASSWORD
from tests.qms.finished_world import _capa_to_effective

pytestmark = pytest.mark.django_db


def _capa(qm, owner, title="Burr on housing"):
    return services.capa_raise(actor=qm, source="process", title=title, description="Found at the final check",
                               severity="minor", owner=owner)


def _closed(qm, owner, auditor):
    capa, _action = _capa_to_effective(_capa(qm, owner, "Closed one"), owner=owner, verifier=auditor,
                                       note="No recurrence in 20 lots")
    return services.capa_close(actor=qm, capa=capa, password=PASSWORD)


def test_the_quality_manager_gives_a_capa_a_new_owner_from_its_page(quality_manager, staff, author, client_for):
    capa = _capa(quality_manager, staff)
    c = client_for(quality_manager)
    page = c.get(capa.get_absolute_url()).content.decode()
    assert "Give it a new owner" in page
    response = c.post(reverse("capa:capa-reassign", args=[capa.pk]), {"owner": author.pk, "reason": "Staff left"})
    assert response.status_code == 302
    capa.refresh_from_db()
    assert capa.owner == author
    event = AuditEvent.objects.get(verb="capa.reassigned", object_id=str(capa.pk))
    assert event.actor == quality_manager and event.comment == "Staff left"
    assert event.data == {"from": staff.username, "to": author.username}
    assert capa.history.first().history_change_reason == "Staff left"
    assert Notification.objects.filter(user=author, title=f"{capa.number} assigned to you").exists()
    assert "CAPA given a new owner" in c.get(capa.get_absolute_url()).content.decode()  # in its trail


@pytest.mark.parametrize("data, message", [
    ({"owner": "", "reason": "Staff left"}, "This field is required"),
    ({"owner": "__author__", "reason": ""}, "This field is required"),
    ({"owner": "999999", "reason": "Staff left"}, "Select a valid choice"),
    ({"owner": "__staff__", "reason": "Staff left"}, "already owns"),
])
def test_bad_input_is_a_form_error_and_changes_nothing(quality_manager, staff, author, client_for, data, message):
    capa = _capa(quality_manager, staff)
    data = {k: {"__author__": author.pk, "__staff__": staff.pk}.get(v, v) for k, v in data.items()}
    response = client_for(quality_manager).post(reverse("capa:capa-reassign", args=[capa.pk]), data)
    assert response.status_code == 400 and message in response.content.decode()
    capa.refresh_from_db()
    assert capa.owner == staff and not AuditEvent.objects.filter(verb="capa.reassigned").exists()


def test_only_the_quality_manager_reassigns_and_never_a_finished_capa(quality_manager, staff, author, auditor,
                                                                      client_for):
    capa = _capa(quality_manager, staff)
    owner_client = client_for(staff)
    assert "Give it a new owner" not in owner_client.get(capa.get_absolute_url()).content.decode()
    refused = owner_client.post(reverse("capa:capa-reassign", args=[capa.pk]), {"owner": author.pk, "reason": "Mine"})
    assert refused.status_code == 400 and "Only the quality manager gives a CAPA a new owner" in refused.content.decode()
    closed = _closed(quality_manager, staff, auditor)
    qm = client_for(quality_manager)
    assert "Give it a new owner" not in qm.get(closed.get_absolute_url()).content.decode()
    response = qm.post(reverse("capa:capa-reassign", args=[closed.pk]), {"owner": author.pk, "reason": "Tidy up"})
    assert response.status_code == 400 and "not once it is effective or closed" in response.content.decode()
    assert set(Capa.objects.values_list("owner", flat=True)) == {staff.pk}
    assert not AuditEvent.objects.filter(verb="capa.reassigned").exists()


def test_bulk_reassign_lists_each_capa_first_then_reports_each(quality_manager, staff, author, auditor, client_for):
    open_ones = [_capa(quality_manager, staff, f"Open {i}") for i in range(2)]
    already = _capa(quality_manager, author, "Already the author's")
    closed = _closed(quality_manager, staff, auditor)
    c = client_for(quality_manager)
    register = c.get(reverse("capa:capa-list") + "?status=").content.decode()
    assert 'id="bulk-capas"' in register and f'value="{closed.pk}" form="bulk-capas"' in register
    ids = [str(x.pk) for x in (*open_ones, already, closed)]
    preview = c.get(reverse("capa:capa-bulk"), {"action": "owner", "ids": ids})
    html = preview.content.decode()
    assert preview.status_code == 200 and "Assign an owner to 4 CAPAs" in html
    assert "not once it is effective or closed" in html  # the closed one, with the rule's reason, before anything
    assert set(Capa.objects.values_list("owner", flat=True)) == {staff.pk, author.pk}  # the preview changed nothing
    done = c.post(reverse("capa:capa-bulk-owner"), {"ids": ids, "owner": author.pk, "reason": "Team reorganised"})
    body = done.content.decode()
    assert done.status_code == 200 and "already owns" in body and "not once it is effective or closed" in body
    for x in open_ones:
        x.refresh_from_db()
        assert x.owner == author
    closed.refresh_from_db()
    assert closed.owner == staff
    assert AuditEvent.objects.filter(verb="capa.reassigned", comment="Team reorganised").count() == 2
    # Without a reason nothing changes: the page again, with the error.
    again = c.post(reverse("capa:capa-bulk-owner"), {"ids": [str(open_ones[0].pk)], "owner": staff.pk, "reason": ""})
    assert again.status_code == 400 and "Nothing was changed" in again.content.decode()
    open_ones[0].refresh_from_db()
    assert open_ones[0].owner == author


def test_the_bulk_bar_is_the_quality_managers_and_bad_selections_are_refused(quality_manager, staff, author,
                                                                           client_for):
    mine = _capa(quality_manager, staff)
    staff_client = client_for(staff)
    assert 'id="bulk-capas"' not in staff_client.get(reverse("capa:capa-list")).content.decode()
    # A crafted POST by the owner: each row refused by the rule, nothing changed.
    out = staff_client.post(reverse("capa:capa-bulk-owner"), {"ids": [mine.pk], "owner": author.pk, "reason": "x"})
    assert out.status_code == 200 and "Only the quality manager" in out.content.decode()
    mine.refresh_from_db()
    assert mine.owner == staff
    qm = client_for(quality_manager)
    for params in ({"action": "owner"}, {"action": "owner", "ids": "not-a-number"}, {"action": "delete", "ids": mine.pk},
                   {"action": "owner", "ids": 10**9}):
        response = qm.get(reverse("capa:capa-bulk"), params)
        assert 400 <= response.status_code < 500 and "Nothing was done" in response.content.decode(), params


def test_bulk_pages_read_in_a_constant_number_of_queries(quality_manager, staff, author, client_for,
                                                         django_assert_max_num_queries):
    c = client_for(quality_manager)

    def pages(capas):
        ids = [x.pk for x in capas]
        c.get(reverse("capa:capa-list"))
        c.get(reverse("capa:capa-bulk"), {"action": "owner", "ids": ids})

    few = [_capa(quality_manager, staff, f"Few {i}") for i in range(2)]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        pages(few)
    many = few + [_capa(quality_manager, staff, f"Many {i}") for i in range(12)]
    with django_assert_max_num_queries(len(small)):
        pages(many)
