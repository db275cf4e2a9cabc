"""Table-driven fuzz: every URL pattern (arguments from seeded objects), every
query parameter a list, filter, form or export reads, with nasty values:
never a 500, and a GET changes nothing."""

import pytest

from qms.models import AuditEvent
from tests.auditor import scope_world
from tests.qms.urlwalk import all_routes

NASTY = ["99999999999999999999999", "-1", "abc", "0001-01", "9999-12-31", "x" * 3000 + "😀"]
LIST_PARAMS = ["q", "status", "type", "page", "month", "date", "item", "on", "owner", "clause"]


DETAIL_PARAMS = ["item", "page"]


@pytest.fixture
def world(quality_manager, author, approver, staff, auditor, external_auditor):
    return scope_world.build(quality_manager=quality_manager, author=author, approver=approver, staff=staff,
                             auditor=auditor, external_auditor=external_auditor)


def _get_paths(world):
    for route in all_routes():
        if route.name in ("logout", "notification-read-all"):
            continue
        for path, side in scope_world.paths_for(route, world):
            if side in ("in", "any"):
                yield route, path, side


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["quality_manager"])
@pytest.mark.parametrize("param", list(dict.fromkeys(LIST_PARAMS + DETAIL_PARAMS)))
def test_no_query_parameter_value_gives_a_500(request, client_for, world, who, param):
    """One parameter per test, so the walk of every URL spreads over the test workers."""
    c = client_for(request.getfixturevalue(who))
    events = AuditEvent.objects.count()
    problems = []
    for route, path, side in _get_paths(world):
        # Lists, searches and exports read many parameters; object pages read a few.
        if param not in (LIST_PARAMS if side == "any" and not route.params else DETAIL_PARAMS):
            continue
        for value in NASTY:
            response = c.get(path, {param: value})
            if response.status_code >= 500:
                problems.append(f"{path}?{param}={value[:30]} -> {response.status_code}")
    assert not problems, "\n".join(problems[:80])
    assert AuditEvent.objects.count() == events  # a GET changed nothing


@pytest.mark.django_db
def test_accepting_a_proposal_with_a_bad_item_or_date_is_refused_not_a_500(client_for, quality_manager, world):
    from audits.models import Audit

    c = client_for(quality_manager)
    url = f"/audits/programmes/{world['programme'].pk}/accept/"
    before = Audit.objects.count()
    for item in ["abc", "", "99999999999999999999999", "-1", "1e3"]:
        for date in ["2026-06-01", "", "abc", "9999-12-31", "0001-01-01"]:
            response = c.post(url, {"item": item, "date": date})
            assert response.status_code < 500, (item, date, response.status_code)
    assert Audit.objects.count() == before
