"""403 before 400: a caller who may not do an action is refused with the rule's
message whatever the body is; field errors (what the action would accept) are
only for a caller the rule lets through.

The walk calls every POST operation of the OpenAPI document as the quality
manager (who sees every object), in a world where every rule that would let
them CHANGE something says no; only the gates of the API itself
(api.use_api, api.write_with_api) and the rules that let them SEE an object
(`<app>.view_*`) keep their answer. Then every POST, with an empty body and with
a body of wrong values, must be a 403 with the message of a rule that refused,
or a 404 (an object the caller may not see): never a 400 with the form's errors."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from qms import rules
from tests.api.conftest import client_with, token_for
from tests.api.test_walk import _operations, quiet, unthrottled, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

KEPT = {"api.use_api", "api.write_with_api"}
# POSTs whose rule is a view rule: a PDF job of a list the caller may read, or marking one's own
# notifications read (no rule: they are the caller's).
READS = {"/api/v1/notifications/read/", "/api/v1/suppliers/approved-pdf/", "/api/v1/training-matrix/pdf/"}


def _kept(name: str) -> bool:
    return name in KEPT or name.split(".", 1)[1].startswith("view_")


@pytest.fixture
def nothing_allowed(monkeypatch, world, quality_manager):  # noqa: F811 - a pytest fixture
    """The quality manager's client (its token made first), then every rule that grants a change
    says no; the names of the ones that refused are listed."""
    client = client_with(token_for(quality_manager))
    real = rules._RULES.test_rule
    refused: list[str] = []

    def test_rule(name, *args, **kwargs):
        if _kept(name):
            return real(name, *args, **kwargs)
        refused.append(name)
        return False

    monkeypatch.setattr(rules._RULES, "test_rule", test_rule)
    return client, refused


def _bodies(body_schema: dict | None) -> list:
    """An empty body, and one with a wrong value in every field the operation documents."""
    props = (body_schema or {}).get("properties", {})
    wrong = {k: ("not-a-date-or-number\x01" if p.get("type") != "array" else [{"x": 1}]) for k, p in props.items()}
    return [{}, wrong or {"unexpected": "x"}]


def test_every_post_refuses_a_caller_without_the_rule_before_it_reads_the_body(
        quiet, unthrottled, world, quality_manager, nothing_allowed):  # noqa: F811 - pytest fixtures
    from qms.rules import message

    qm, nothing_allowed = nothing_allowed
    problems, walked = [], 0
    for method, template, path, body, _name in _operations(world):
        if method != "POST" or template in READS:
            continue
        walked += 1
        for data in _bodies(body):
            nothing_allowed.clear()
            with transaction.atomic():
                r = qm.generic("POST", path, data=json.dumps(data), content_type="application/json")
                transaction.set_rollback(True)
            if r.status_code == 404:
                continue
            if r.status_code == 409 and r.json().get("code") == "IllegalTransition":
                continue  # the state move comes first (the lifecycle's order): the state is the caller's to read
            detail = r.json().get("detail", "") if r["Content-Type"].startswith("application/json") else ""
            said = {message(n, quality_manager) for n in nothing_allowed}
            if r.status_code != 403 or detail not in said:
                problems.append(f"{method} {template} {'{}' if not data else 'wrong values'} -> {r.status_code} "
                                f"{detail[:90]!r} (rules asked: {sorted(set(nothing_allowed))})")
    assert walked > 100
    assert not problems, "\n".join(problems)


def test_a_role_without_the_rule_gets_the_rules_message_not_field_errors(client_for, staff):
    """The same through real roles, on a page-shaped call: staff may not register a supplier."""
    from qms.rules import message

    r = client_with(token_for(staff)).post("/api/v1/suppliers/", {"name": ""}, format="json")
    assert r.status_code == 403 and r.json()["detail"] == message("suppliers.manage_suppliers", staff)
    assert "errors" not in r.json()
