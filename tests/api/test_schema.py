"""The OpenAPI document validates, and the docs are served from our own static files."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_the_openapi_document_validates():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)  # raises on an invalid document
    assert schema["openapi"].startswith("3.")
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    assert all(p.startswith("/api/v1/") for p in schema["paths"])


def test_the_schema_is_served_to_a_logged_in_user_and_a_token(client_for, staff, api_for):
    assert client_for(staff).get("/api/schema/").status_code == 200
    response = api_for(staff).get("/api/schema/?format=json")
    assert response.status_code == 200
    assert "/api/v1/documents/" in response.content.decode()


@pytest.mark.parametrize("url", ["/api/docs/", "/api/docs/redoc/"])
def test_the_docs_use_no_cdn(client_for, staff, url):
    response = client_for(staff).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert src.startswith("/"), src  # our own static files or pages
    assert "cdn" not in html.lower()


@pytest.mark.parametrize("url", ["/api/docs/", "/api/docs/redoc/"])
def test_the_docs_scripts_are_vendored_static_files(client_for, staff, url):
    from django.conf import settings
    from django.contrib.staticfiles import finders

    html = client_for(staff).get(url).content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts
    for src in scripts:
        if src.startswith(settings.STATIC_URL):
            assert finders.find(src.removeprefix(settings.STATIC_URL)), src
        else:
            assert client_for(staff).get(src).status_code == 200, src  # the Swagger init script (?script)


def test_anonymous_visitors_get_the_login_page_for_the_docs_and_401_for_the_schema(client):
    assert client.get("/api/docs/").status_code == 302
    assert client.get("/api/schema/").status_code == 401


def test_every_operation_has_a_test():
    """Each operation of the document has its line in the access matrix (tests/api/access_matrix.py,
    checked call by call in test_walk.py, which also walks each one with bad input), and each
    resource module its own test file."""
    from pathlib import Path

    from tests.api import access_matrix

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {f"{m.upper()} {p}" for p, ops in schema["paths"].items() for m in ops}
    assert sorted(operations - set(access_matrix.MATRIX)) == []
    assert sorted(set(access_matrix.MATRIX) - operations) == []
    root = Path(__file__).resolve().parents[2]
    modules = {p.stem for p in (root / "api" / "resources").glob("*.py") if p.stem not in ("__init__", "qms")}
    untested = sorted(m for m in modules if not (root / "tests" / "api" / f"test_{m}.py").exists())
    assert untested == [], f"Resource modules without tests/api/test_<module>.py: {untested}"


# ------------------------------------------------------------------ regressions found by Schemathesis (issue 16)
def test_every_operation_documents_its_json_error_answers(quality_manager):
    from tests.api.conftest import client_with, token_for

    doc = client_with(token_for(quality_manager)).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert doc["components"]["schemas"]["Error"]["required"] == ["detail", "code"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for code in ("401", "403", "404", "429"):
                assert "application/json" in op["responses"][code]["content"], (method, path, code)
            if method == "post":
                assert {"400", "409"} <= set(op["responses"]), (method, path)
            for answer in op["responses"].values():
                if "application/octet-stream" in answer.get("content", {}):
                    assert "*/*" in answer["content"], (method, path)  # a file keeps its own type


def test_a_path_no_operation_matches_is_a_json_404_and_401_without_a_token(quality_manager):
    from rest_framework.test import APIClient

    from tests.api.conftest import client_with, token_for

    api = client_with(token_for(quality_manager))
    for path in ("/api/v1/audits/null,null/", "/api/v1/documents/0/revisions/AAA/draft/", "/api/v1/no-such/",
                 "/api/v1/"):
        r = api.get(path)
        assert r.status_code == 404 and r.json()["code"] == "not_found", path
        assert api.post(path).status_code == 404
    assert APIClient().get("/api/v1/no-such/").status_code == 401
    assert "end with a slash" in api.get("/api/v1/documents").json()["detail"]
    assert api.get("/api/v1/webhooks/%0A/enable/").status_code == 404  # a newline in the path too


def _nullable_as_json_schema(schema):
    """OpenAPI 3.0's `nullable: true` in JSON Schema's words (a type that admits null)."""
    if isinstance(schema, dict):
        out = {k: _nullable_as_json_schema(v) for k, v in schema.items() if k != "nullable"}
        if schema.get("nullable") and "type" in out:
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(schema, list):
        return [_nullable_as_json_schema(v) for v in schema]
    return schema


def test_a_staff_members_user_list_matches_the_document(staff, quality_manager):
    """Schemathesis (issue 16): staff get users without roles and active state, which the document required."""
    import jsonschema

    from tests.api.conftest import client_with, token_for

    api = client_with(token_for(staff))
    doc = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    user_schema = _nullable_as_json_schema(doc["components"]["schemas"]["UserListSchema"])
    for user in api.get("/api/v1/users/").json()["results"] + [api.get(f"/api/v1/users/{staff.username}/").json()]:
        assert "roles" not in user
        jsonschema.validate(user, user_schema)


def test_the_docs_pages_answer_only_get(client_for, quality_manager):
    """An OPTIONS (or any other method) on the docs pages is a 405, never a 500."""
    c = client_for(quality_manager)
    c.raise_request_exception = False
    for url in ("/api/docs/", "/api/docs/redoc/"):
        assert c.get(url).status_code == 200
        for method in ("options", "post", "put", "patch", "delete"):
            assert getattr(c, method)(url).status_code == 405, (url, method)
