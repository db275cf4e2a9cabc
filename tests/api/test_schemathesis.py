"""Schemathesis over every operation of the OpenAPI document (issue 16), against
a live server (pytest-django's live_server, in this process) holding the scope
walk's world (an object of every kind, of every app), as the quality manager
and as a staff member: no answer may be a 5xx, and every answer must match the
schema (status codes, content types, bodies, headers).

Bounded so it fits in CI: the fuzzing phase, SCHEMATHESIS_EXAMPLES examples per
operation (default 5, valid and invalid ones), about 1,000 requests per persona.
A deeper run adds the coverage phase (boundary values of every parameter, about
6,000 requests, 15 minutes under load): SCHEMATHESIS_PHASES=examples,coverage,fuzzing. The operations are read from the schema, so resources added
later are walked too. `SCHEMATHESIS_ONLY=<regex>` narrows the walk to matching
paths, for a developer chasing one failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api.throttling import PerToken
from qms import jobs
from tests.api.conftest import token_for

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
# Every check on the answers: no 5xx; status code, content type, body and headers as documented;
# an Allow header that lists the operations; an unsupported method 405; no answer without auth.
# Not the two checks on the request schema (positive_data_acceptance, negative_data_rejection):
# the page's form is the input check (api.base.bind) and refuses with a 400 and a reason what a
# JSON schema cannot say (a URL that must be public, a record that must be a draft, a date window).
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
          "response_headers_conformance,missing_required_header,unsupported_method,allow_header_conformance,"
          "ignored_auth")


@pytest.fixture
def reference(transactional_db):
    from tests.documents.factories import TYPES, doc_type
    from tests.factories import ensure_reference_data

    ensure_reference_data()  # a transactional test may start from a flushed database
    for code in TYPES:
        doc_type(code)


@pytest.fixture
def world(reference, quality_manager, author, approver, staff, auditor, external_auditor):
    from tests.auditor import scope_world

    return scope_world.build(quality_manager=quality_manager, author=author, approver=approver, staff=staff,
                             auditor=auditor, external_auditor=external_auditor)


def _walk(base_url: str, token: str, report: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "schemathesis.cli", "run", f"{base_url}/api/schema/",
               "-H", f"Authorization: Bearer {token}", "--checks", CHECKS,
               "--max-examples", str(EXAMPLES), "--phases", os.environ.get("SCHEMATHESIS_PHASES", "examples,fuzzing"),
               "--seed", os.environ.get("SCHEMATHESIS_SEED", "16"), "--workers", "1",
               "--request-timeout", "30", "--no-color", "--report", "junit", "--report-junit-path", str(report),
               "--generation-allow-x00", "false"]
    if only := os.environ.get("SCHEMATHESIS_ONLY"):
        command += ["--include-path-regex", only]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": ""}
    # Run in the test's folder: the CLI keeps its replay cache (.schemathesis/) there, not in the work tree.
    return subprocess.run(command, cwd=report.parent, env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.schemathesis
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", ["quality_manager", "staff"])
def test_every_operation_answers_within_the_schema_and_never_5xx(persona, world, live_server, request,
                                                                  monkeypatch, tmp_path, settings):
    monkeypatch.setattr(PerToken, "THROTTLE_RATES", {"api": "100000/min"})  # the walk is not a flood
    settings.WEBHOOKS_ALLOW_HTTP = False
    # As with the broker away: a job stays pending (202) instead of rendering a PDF inside the request.
    monkeypatch.setattr(jobs, "_dispatch", lambda job_id: None)
    user = request.getfixturevalue(persona)
    token = token_for(user, name=f"schemathesis {persona}")
    started = time.monotonic()
    result = _walk(live_server.url, token, tmp_path / "junit.xml")
    took = time.monotonic() - started
    tail = (result.stdout + result.stderr)[-20000:]
    print(f"schemathesis as {persona}: {took:.0f} s\n{tail[-3000:]}")
    assert "Operations:" in result.stdout, tail  # the schema loaded and was walked
    assert result.returncode == 0, tail
