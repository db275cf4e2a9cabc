"""A NUL byte (%00) in any URL segment or any query/form parameter is a 400
with a reason, never a 500 (PostgreSQL refuses NUL in text), for every URL
pattern, anonymous or logged in."""

import uuid

import pytest
from django.test import Client

from tests.qms.urlwalk import all_routes

# Every GET parameter a list, filter, search or export reads.
GET_PARAMS = ["q", "status", "type", "page", "month", "date", "item", "kind", "severity", "source", "owner",
              "clause", "process", "department", "record_type", "type_code", "from", "to", "since", "until", "fmt",
              "format", "sort", "order", "overdue", "mine", "state", "next", "at", "as_of", "number"]


def _nul_paths():
    for route in all_routes():
        kwargs = {}
        for param, conv in route.converters.items():
            kwargs[param] = {"IntConverter": 1, "UUIDConverter": uuid.uuid4()}.get(conv, "ab%00cd")
        yield route, route.build(**kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "quality_manager", "external_auditor"])
def test_nul_in_any_url_segment_is_a_400_not_a_500(request, who):
    client = Client()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for route, path in _nul_paths():
        response = client.get(path)
        if "%00" in path:
            assert response.status_code == 400, (route.name, path, response.status_code)
            assert b"NUL" in response.content
        else:
            assert response.status_code < 500, (route.name, path, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "quality_manager"])
def test_nul_in_any_get_or_post_parameter_is_a_400_not_a_500(request, who):
    client = Client()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for route in all_routes():
        if route.params:
            continue
        for param in GET_PARAMS:
            response = client.get(route.build(), {param: "x\x00y"})
            assert response.status_code == 400, (route.name, param, response.status_code)
        response = client.post(route.build(), {"q": "a\x00"})
        assert response.status_code == 400, (route.name, "POST", response.status_code)


@pytest.mark.django_db
def test_a_nul_in_the_session_cookie_is_dropped_not_a_500(quality_manager):
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    response = client.get("/accounts/login/")
    assert response.status_code == 200
