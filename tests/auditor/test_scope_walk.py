"""Every URL pattern, walked as an external auditor whose grant covers clause
8.5 only: no out-of-scope object's number, title or text appears in any
response, and out-of-scope objects' own pages (and their trails) are 404/403."""

import pytest
from django.utils import timezone

from tests.auditor import scope_world
from tests.qms.urlwalk import all_routes


@pytest.fixture
def world(quality_manager, author, approver, staff, auditor, external_auditor):
    return scope_world.build(quality_manager=quality_manager, author=author, approver=approver, staff=staff,
                             auditor=auditor, external_auditor=external_auditor)


def _leaks(body: str, markers) -> list[str]:
    return [m for m in markers if m in body]


@pytest.mark.django_db
def test_every_url_keeps_an_external_auditor_inside_the_grant(client_for, external_auditor, world):
    c = client_for(external_auditor)
    markers = scope_world.markers(world)
    today = timezone.localdate().isoformat()
    problems = []
    seen_in_scope = False
    for route in all_routes():
        for path, side in scope_world.paths_for(route, world):
            queries = [{}]
            if side == "any":  # lists, searches, filters, exports, feeds
                queries += [{"q": scope_world.SECRET}, {"q": world["out"]["doc"].number}, {"date": today},
                            {"status": "in_progress"}]
            for query in queries:
                response = c.get(path, query)
                body = b"".join(response) if response.streaming else response.content
                body = body.decode("utf-8", "replace")
                if response.status_code >= 500:
                    problems.append(f"{path} {query}: {response.status_code}")
                # What the request itself carries (the path, the search text) may be echoed back.
                echoed = path + " " + " ".join(query.values())
                leaked = _leaks(body, [m for m in markers if m not in echoed])
                if leaked:
                    problems.append(f"{path} {query}: shows {leaked}")
                if side == "out" and response.status_code not in (403, 404, 405):
                    problems.append(f"{path}: out-of-scope object answered {response.status_code}")
                if side == "in" and response.status_code == 200 and "_detail" not in route.name:
                    seen_in_scope = True
    assert not problems, "\n".join(problems)
    assert seen_in_scope


@pytest.mark.django_db
def test_the_walk_sees_the_out_of_scope_objects_as_the_quality_manager(client_for, quality_manager, world):
    """The markers are real: the quality manager, who is not narrowed, sees them."""
    c = client_for(quality_manager)
    out = world["out"]
    assert out["doc"].number in c.get("/documents/").content.decode()
    assert scope_world.SECRET in c.get(f"/capa/{out['capa'].pk}/").content.decode()
    assert out["audit"].number in c.get("/audits/").content.decode()
    assert c.get(f"/audits/programmes/{world['programme'].pk}/").status_code == 200


@pytest.mark.django_db
def test_the_programme_feed_holds_only_in_scope_audits_and_stops_when_the_grant_ends(client, world,
                                                                                      quality_manager):
    from auditor import services as auditor_services

    url = f"/audits/ical/{world['token']}/programme.ics"
    body = client.get(url).content.decode()
    assert world["in"]["audit"].number in body and world["out"]["audit"].number not in body
    auditor_services.revoke_access(actor=quality_manager, access=world["access"], reason="Audit over")
    assert client.get(url).status_code == 404
    assert client.get(f"/audits/ical/{world['token']}/mine.ics").status_code == 404


@pytest.mark.django_db
def test_an_expired_grant_stops_the_feed(client, world):
    access = world["access"]
    access.valid_from = timezone.now() - timezone.timedelta(days=10)
    access.valid_until = timezone.now() - timezone.timedelta(days=1)
    access.save()
    assert client.get(f"/audits/ical/{world['token']}/programme.ics").status_code == 404


@pytest.mark.django_db
def test_a_get_of_the_feeds_page_makes_no_token(client_for, staff):
    from audits.models import CalendarToken

    c = client_for(staff)
    assert c.get("/audits/calendar/feeds/").status_code == 200
    assert not CalendarToken.objects.filter(user=staff).exists()
    c.post("/audits/calendar/feeds/")
    assert CalendarToken.objects.filter(user=staff).count() == 1
