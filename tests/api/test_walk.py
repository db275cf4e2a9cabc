"""The schema walked: every operation of the OpenAPI document is called, as
every kind of caller, on the scope walk's world (objects inside and outside an
external auditor's 8.5 grant):

- the quality manager's token, with bad input in every field of every request
  body: never a 5xx, a refusal is a 4xx in the one error shape;
- a read-only token and the external auditor (whose tokens are read-only):
  every POST is a 403; the auditor's GETs of out-of-scope objects are 404;
- anonymous: every operation is a 401.

The walk fails when an operation of the schema is not reached (a new one must
get path arguments in tests/api/world.py), so every operation has a test."""

from __future__ import annotations

import logging
import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.api import world as api_world
from tests.api.conftest import client_with, token_for
from tests.auditor import scope_world
from tests.qms.urlwalk import all_routes

pytestmark = pytest.mark.django_db

NASTY = ["", "x" * 3000 + "😀\u202e", "-1", "99999999999999999999999", "1e309", "9999-12-31", "a\x00b", 10**30,
         None, ["x", {}], {"a": 1}]
SKIP_FIELDS = {"password"}  # a wrong password is a refused signature (tested in test_documents/test_records)


@pytest.fixture
def quiet():
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture
def unthrottled(monkeypatch):
    from api.throttling import PerToken

    monkeypatch.setattr(PerToken, "THROTTLE_RATES", {"api": "1000000/min"})


@pytest.fixture
def world(quality_manager, author, approver, staff, auditor, external_auditor):
    return scope_world.build(quality_manager=quality_manager, author=author, approver=approver, staff=staff,
                             auditor=auditor, external_auditor=external_auditor)


def _template(pattern: str) -> str:
    return ("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)).replace("{pk}", "{id}")


def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(w, side="in"):
    """[(method, template, path, request-body schema or None, route name)] for every API operation."""
    schema = _schema()
    components = schema["components"]["schemas"]
    routes = {_template(r.pattern): r for r in all_routes() if r.name.startswith("api:") and "/v1/" in r.pattern}
    out = []
    for template, ops in schema["paths"].items():
        route = routes.get(template)
        assert route is not None, f"No URL pattern for {template}"
        if route.params:
            found = api_world.path_kwargs(route.name, side, w)
            assert found is not None, f"tests/api/world.py does not know how to build {route.name}"
            path = route.build(**found[0])
        else:
            path = route.build()
        for method, op in ops.items():
            body = None
            content = (op.get("requestBody") or {}).get("content", {})
            ref = (content.get("application/json") or content.get("multipart/form-data") or {}).get("schema", {})
            if "$ref" in ref:
                body = components[ref["$ref"].rsplit("/", 1)[1]]
            out.append((method.upper(), template, path, body, route.name))
    return out


def _plausible(prop: dict):
    if "enum" in prop:
        return prop["enum"][0]
    kind = prop.get("type")
    if kind == "boolean":
        return False
    if kind == "integer":
        return 1
    if kind == "array":
        return []
    if prop.get("format") == "date":
        return "2026-06-01"
    if prop.get("format") == "date-time":
        return "2026-06-01T10:00:00Z"
    return "Walk text"


def _call(client, method, path, data=None):
    if method == "GET":
        return client.get(path)
    return client.generic(method, path, data=__import__("json").dumps(data or {}), content_type="application/json")


def test_every_operation_is_walked_with_bad_input_and_never_gives_a_5xx(quiet, unthrottled, world, quality_manager):
    qm = client_with(token_for(quality_manager))
    problems, seen = [], set()
    operations = sorted(_operations(world), key=lambda o: any(w in o[2] for w in (
        "obsolete", "void", "dispose", "close", "withdraw", "hold", "read")))
    for method, template, path, body, _name in operations:
        seen.add((method, template))
        response = _call(qm, method, path)
        if response.status_code >= 500:
            problems.append(f"{method} {path} {{}} -> {response.status_code}")
        if response.status_code >= 400 and response["Content-Type"].startswith("application/json"):
            if "detail" not in response.json():
                problems.append(f"{method} {path}: an error without a detail: {response.json()}")
        if method != "POST" or body is None:
            continue
        props = body.get("properties", {})
        base = {k: _plausible(p) for k, p in props.items() if k not in SKIP_FIELDS}
        for field in props:
            if field in SKIP_FIELDS:
                continue
            for bad in NASTY:
                response = _call(qm, method, path, {**base, field: bad})
                if response.status_code >= 500:
                    problems.append(f"{method} {path} {field}={str(bad)[:20]!r} -> {response.status_code}")
        for bad_body in ([], "text", 5, None):
            response = qm.generic("POST", path, data=__import__("json").dumps(bad_body), content_type="application/json")
            if response.status_code >= 500:
                problems.append(f"POST {path} body={bad_body!r} -> {response.status_code}")
        response = qm.generic("POST", path, data=b"{not json", content_type="application/json")
        if not 400 <= response.status_code < 500:  # 400, or the rule's or the state's refusal asked first
            problems.append(f"POST {path} with broken JSON -> {response.status_code}")
    assert not problems, "\n".join(problems[:80])
    every = {(m.upper(), t) for t, ops in _schema()["paths"].items() for m in ops}
    assert seen == every


def test_a_read_only_token_and_the_external_auditor_cannot_post_anything(quiet, unthrottled, world, staff,
                                                                          external_auditor, quality_manager):
    read_only = client_with(token_for(quality_manager, read_only=True))
    auditor = client_with(token_for(external_auditor, read_only=True))
    session_auditor = APIClient()
    session_auditor.force_login(external_auditor)
    problems = []
    for method, _template, path, _body, name in _operations(world):
        if method == "GET":
            continue
        for who, client in (("read-only token", read_only), ("external auditor", auditor)):
            response = _call(client, method, path, {})
            if response.status_code != 403:
                problems.append(f"{who}: {method} {path} -> {response.status_code}")
        response = _call(session_auditor, method, path, {})
        # Raising (and closing) an evidence request is theirs, as on the page; nothing else.
        if response.status_code not in (403, 404) and not name.startswith("api:evidence-request"):
            problems.append(f"external auditor session: {method} {path} -> {response.status_code}")
    assert not problems, "\n".join(problems)


def test_the_external_auditor_gets_404_for_every_out_of_scope_object(quiet, unthrottled, world, external_auditor):
    auditor = client_with(token_for(external_auditor, read_only=True))
    markers = scope_world.markers(world)
    problems = []
    for method, _template, path, _body, name in _operations(world, side="out"):
        if method != "GET":
            continue
        found = api_world.path_kwargs(name, "out", world) if "{" in _template else None
        response = auditor.get(path)
        body = response.content.decode("utf-8", "replace") if not response.streaming else ""
        leaked = [m for m in markers if m in body and m not in path]
        if leaked:
            problems.append(f"GET {path} shows {leaked}")
        if found is not None and not found[1] and response.status_code not in (403, 404):
            problems.append(f"GET {path} (out of scope) -> {response.status_code}")
    assert not problems, "\n".join(problems)


def test_anonymous_gets_401_everywhere(world):
    c = APIClient()
    problems = [f"{m} {p} -> {r.status_code}" for m, _t, p, _b, _n in _operations(world)
                if (r := _call(c, m, p, {})).status_code != 401]
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------ the access matrix
# Every operation of the schema × every kind of caller, each call in a rolled-back
# savepoint (so every caller meets the same world), against tests/api/access_matrix.py.
# A new operation without its line there fails; API_MATRIX_WRITE=1 rewrites the file
# (read the diff: it is the API's access policy). Whatever the file says, these hold:
# a read-only token reads what its owner reads and never POSTs; the external auditor
# (read-only tokens only) never POSTs and gets nothing outside the grant.
MATRIX_ROLES = ("qm", "staff", "approver", "admin", "ext_in", "ext_out", "read_only")


def _matrix_clients(world, quality_manager, staff, approver, external_auditor):
    from django.contrib.auth.models import Permission

    from qms.permissions import Role
    from tests.factories import UserFactory

    admin = UserFactory(username="api-admin", roles=[Role.STAFF], is_staff=True)
    admin.user_permissions.add(Permission.objects.get(codename="change_user"))
    ext = client_with(token_for(external_auditor, read_only=True))
    return {"qm": client_with(token_for(quality_manager)), "staff": client_with(token_for(staff)),
            "approver": client_with(token_for(approver)), "admin": client_with(token_for(admin)),
            "ext_in": ext, "ext_out": ext, "read_only": client_with(token_for(quality_manager, read_only=True))}


def _outcome(client, method, path):
    from django.db import transaction

    with transaction.atomic():
        response = _call(client, method, path, {})
        transaction.set_rollback(True)
    detail = ""
    if response.status_code == 403 and response["Content-Type"].startswith("application/json"):
        detail = response.json().get("detail", "")
    return response.status_code, detail


def test_the_access_matrix_of_every_operation_and_caller(quiet, unthrottled, world, quality_manager, staff, approver,
                                                         external_auditor):
    import os

    from api.permissions import READ_ONLY_TOKEN
    from tests.api import access_matrix

    clients = _matrix_clients(world, quality_manager, staff, approver, external_auditor)
    out_paths = {(m, t): (p, n) for m, t, p, _b, n in _operations(world, side="out")}
    seen, problems = {}, []
    for method, template, path, _body, name in _operations(world):
        codes = {}
        for role in MATRIX_ROLES:
            where = out_paths[(method, template)][0] if role == "ext_out" else path
            codes[role], detail = _outcome(clients[role], method, where)
            if method == "POST" and role == "read_only" and detail != READ_ONLY_TOKEN:
                problems.append(f"read-only token: {method} {where} -> {codes[role]} {detail!r}")
            if method == "POST" and role.startswith("ext") and codes[role] != 403:
                problems.append(f"external auditor: {method} {where} -> {codes[role]}")
        shared = "{" not in template or api_world.path_kwargs(name, "out", world)[1]
        if method == "GET" and not shared and codes["ext_out"] not in (403, 404):
            problems.append(f"external auditor, out of scope: GET {out_paths[(method, template)][0]} -> "
                            f"{codes['ext_out']}")
        if method == "GET" and codes["read_only"] != codes["qm"]:
            problems.append(f"read-only token: GET {path} -> {codes['read_only']}, its owner {codes['qm']}")
        seen[f"{method} {template}"] = " ".join(str(codes[r]) for r in MATRIX_ROLES)
    assert not problems, "\n".join(problems)
    if os.environ.get("API_MATRIX_WRITE"):
        access_matrix.write(seen)
    missing = sorted(set(seen) - set(access_matrix.MATRIX))
    assert not missing, "Operations without a line in tests/api/access_matrix.py:\n" + "\n".join(missing)
    stale = sorted(set(access_matrix.MATRIX) - set(seen))
    assert not stale, "Lines of tests/api/access_matrix.py no operation has:\n" + "\n".join(stale)
    differ = [f"{op}: expected {access_matrix.MATRIX[op]}, got {got}" for op, got in sorted(seen.items())
              if access_matrix.MATRIX[op] != got]
    assert not differ, "  (" + " ".join(MATRIX_ROLES) + ")\n" + "\n".join(differ)
