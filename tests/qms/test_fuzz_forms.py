"""Table-driven fuzz of every form field of every POST view.

Each persona walks every page of the scope walk's world (and pages of objects
in the states their forms need), reads the POST forms on them as a browser
does, and posts each field in turn with nasty values (very long and RTL text,
-0.0, NaN, inf, 1e309, huge ints, impossible and far dates, lists, missing,
ids that do not exist), the other fields holding plausible values so the input
reaches the services. Asserted: never a 500; a refusal (4xx, or a re-rendered
form) changes nothing; and whatever was accepted holds no nonsense (no NaN,
infinity or -0 numbers, no date outside the window of qms/dates.py).

Every URL that accepts POST must be reached by a form on some page, or be
listed in NOT_ON_A_PAGE with the reason, so a new POST view cannot escape."""

from __future__ import annotations

import logging
import math
import os
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from qms import dates
from qms.models import AuditEvent
from tests.auditor import scope_world
from tests.factories import PASSWORD
from tests.qms.formwalk import nasty_values, post_forms
from tests.qms.urlwalk import all_routes

pytestmark = pytest.mark.django_db

PERSONAS = ["quality_manager", "auditor", "staff", "author", "approver", "external_auditor", "anonymous"]

# POST URLs no page carries a form for, with why; everything else must be reached.
NOT_ON_A_PAGE = {
    "logout": "logging out is not input",
    "intake:mapping": "only a records import shows its column mapping (tests/intake/test_records_people_import.py)",
    "login-passkey-options": "fetched by static/js/webauthn.js during the login step (tests/qms/test_passkeys.py)",
    "passkey-options": "fetched by static/js/webauthn.js to enrol or sign (tests/qms/test_passkeys.py)",
    "passkey-remove": "only a user with a security key sees its remove form (tests/qms/test_passkeys.py)",
    "saml-acs": "the identity provider posts the signed answer here (tests/qms/test_saml.py)",
    "healthz": "the load balancer's probe: it reads no input",
    "readyz": "the load balancer's probe: it reads no input",
    "password_reset_confirm": "needs a valid reset token (tests/qms/test_auth.py)",
    "documents:preview": "the editor's live Markdown preview (hx-post), a text in and HTML out",
    "job-retry": "only a failed job shows its retry form (tests/qms/test_jobs.py)",
    "login-verify": "the second step of a half-finished login (bad and replayed codes: tests/qms/test_mfa.py)",
    "login-enrol": "shown only when the two-factor grace period is over (tests/qms/test_mfa.py)",
    "mfa-recovery-codes": "shown once, right after enrolment (tests/qms/test_mfa.py)",
    "signature-declaration": "the walk's personas have signed it already (tests/qms/test_identity.py)",
    "session-end": "names one of the user's own sessions (tests/qms/test_identity.py)",
    "planning:kpi-refresh": "only a computed KPI shows it (tests/planning/test_objectives.py)",
    "planning:risk-reopen": "only a closed risk shows it (tests/planning/test_risks.py; the state walk posts to it)",
    "training:evidence-add": "only a record awaiting signatures shows it (tests/training/test_records.py)",
    "training:record-sign": "only a record awaiting signatures shows it (tests/training/test_records.py)",
    "records:bulk-verify": "on the page a register selection opens (tests/records/test_bulk.py)",
    "records:bulk-hold": "on the page a register selection opens (tests/records/test_bulk.py)",
    "documents:bulk-acknowledge": "on the page a read-list selection opens (tests/documents/test_bulk.py)",
    "documents:bulk-owner": "on the page a register selection opens (tests/documents/test_bulk.py)",
    "capa:capa-bulk-owner": "on the page a register selection opens (tests/audits/test_capa_reassign.py)",
}
# The REST API's operations (api:*) take JSON and multipart bodies, not a page's
# form: tests/api/test_fuzz.py sends bad input to every one. Its own pages (the
# API tokens page) are forms like any other and must be reached.
API_PAGES = ("api:tokens", "api:token-revoke")


def _api_operation(name: str) -> bool:
    return name.startswith("api:") and name not in API_PAGES


# Forms posted last: they end the state the other forms need.
ENDING = ("obsolete", "void", "dispose", "withdraw", "revoke", "close", "logout", "retry", "hold")
# Events that are no change of data: a visit logged (an external auditor's every
# view is: DESIGN.md) and failed logins, which are recorded by design.
VIEW_VERBS = ("viewed", "view", "auditor.view", "download", "auth.login_failed", "auth.locked_out")


def _plausible(f, user, today):
    """A value that passes the field's own checks, so the fuzzed field is the one refused."""
    if f.value:
        return f.value
    kind, name = f.kind, f.name.lower()
    if kind == "select":
        chosen = [o for o in f.options if o]
        return chosen[:1] if f.multiple else (chosen[0] if chosen else "")
    if kind in ("checkbox", "radio", "file", "submit"):
        return None if kind != "radio" else (f.options[0] if f.options else "")
    if kind == "date":
        return today.isoformat()
    if kind == "datetime-local":
        return (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    if kind == "number":
        return "1"
    if kind == "email":
        return "fuzz@example.com"
    if kind == "password" or name == "password":
        return PASSWORD
    if name in ("username", "shown"):
        return user.username
    if kind == "hidden":
        return ""
    return "Fuzz text"


def _payload(form, user, today, name=None, value=None):
    data = {}
    for f in form.fields.values():
        v = _plausible(f, user, today)
        if v not in (None, []):
            data[f.name] = v
    if name is not None:
        if value is _MISSING:
            data.pop(name, None)
        else:
            data[name] = value
    return data


_MISSING = object()
# How a page says that input was refused: a form error or an error message.
ERROR_MARKS = (b"invalid-feedback", b"errorlist", b"alert-danger", b"is-invalid", b"alert-warning")
LATER_ROW = re.compile(r"^\w+-[1-9]\d*-")


def _world(quality_manager, author, approver, staff, auditor, external_auditor):
    """The scope walk's world, plus objects in the states whose forms its own objects do not show."""
    from audits import services as audit_services
    from tests.audits.factories import REPORT_VALUES, make_audit, make_process
    from tests.documents.factories import make_draft, make_effective, submit
    from tests.records.factories import make_record, make_type

    qm = quality_manager
    w = scope_world.build(quality_manager=qm, author=author, approver=approver, staff=staff,
                          auditor=auditor, external_auditor=external_auditor)
    draft = make_draft(author, title="Press draft", content="Draft text.")
    waiting = make_draft(author, title="Press waiting", content="Waiting text.")
    submit(author, waiting.latest_revision, [approver])
    to_read = make_effective(author, approver, title="Press reading", content="Read me.", distribution_users=[staff])
    verified_type = make_type("VRF", verification_required=True, name="Press verified")
    to_verify = make_record(staff, verified_type)
    rec_draft = make_record(staff, w["in"]["type"], submit=False)

    proc = make_process(code="PKG", name="Packing", dept_code="PKG")
    planned = make_audit(qm, auditor, proc, state="planned", programme=w["programme"])
    prepared = make_audit(qm, auditor, proc, state="prepared", programme=w["programme"])
    reporting = make_audit(qm, auditor, proc, state="in_progress", programme=w["programme"])
    audit_services.report_save(actor=auditor, audit=reporting, values=REPORT_VALUES)
    reported = make_audit(qm, auditor, proc, state="in_progress", programme=w["programme"])
    audit_services.report_save(actor=auditor, audit=reported, values=REPORT_VALUES)
    audit_services.report_issue(actor=auditor, audit=reported, password=PASSWORD)
    unaudited = make_process(code="WHS", name="Warehouse", dept_code="WHS")
    audit_services.programme_item_add(actor=qm, programme=w["programme"], process=unaudited, frequency_months=3)

    def capa(stage):
        c = audit_services.capa_raise(actor=staff, source="process", title=f"Press {stage}", description=stage,
                                      severity="minor", owner=staff)
        if stage == "raised":
            return c
        audit_services.capa_analyse(actor=qm, capa=c, ca_needed=True, justification="Needed", whys=["why"],
                                    root_cause="Cause")
        action = audit_services.capa_action_add(actor=qm, capa=c, description="Fix", owner=staff,
                                                due_date=timezone.localdate() + timedelta(30))
        if stage == "planned":
            return c
        audit_services.capa_start_actions(actor=qm, capa=c)
        if stage == "acting":
            return c, action
        audit_services.capa_action_complete(actor=staff, action=action, note="Done")
        if stage == "done":
            return c
        audit_services.capa_submit_verification(actor=qm, capa=c, method="Sample ten", due=timezone.localdate())
        if stage == "checking":
            return c
        audit_services.capa_verify(actor=qm, capa=c, result="effective", notes="Works")
        return c

    # An inactive library question: its page offers the "Reactivate" form.
    from audits.models import AuditQuestion

    retired = audit_services.question_set_active(
        actor=qm, question=AuditQuestion.objects.active().order_by("id").first(), active=False)

    acting, action = capa("acting")
    capas = [capa("raised"), capa("planned"), acting, capa("done"), capa("checking"), capa("verified")]
    extra = [draft.latest_revision.get_absolute_url(), f"/documents/{draft.number}/rev/1/edit/",
             waiting.latest_revision.get_absolute_url(), f"/documents/{draft.number}/", to_read.get_absolute_url(),
             to_verify.get_absolute_url(), rec_draft.get_absolute_url(), f"/records/{rec_draft.number}/edit/",
             f"/capa/actions/{action.pk}/complete/", f"/documents/{w['in']['doc'].number}/revisions/new/",
             "/documents/acknowledgements/", "/capa/actions/mine/", f"/audits/{reporting.pk}/report/",
             f"/audits/questions/{retired.pk}/edit/",
             *(a.get_absolute_url() for a in (planned, prepared, reporting, reported)),
             *(c.get_absolute_url() for c in capas)]
    # Pages of other apps' objects in states their world objects are not in (tests/<app>/world.py fuzz_pages).
    extra += [p for plugin in scope_world.plugins() if hasattr(plugin, "fuzz_pages") for p in plugin.fuzz_pages(w)]
    return w, extra


def _pages(w, extra):
    for route in all_routes():
        if route.name in ("logout",):
            continue
        for path, side in scope_world.paths_for(route, w):
            if side in ("in", "any"):
                yield path
    yield from extra


def _collect(client, pages):
    forms = {}
    for page in pages:
        response = client.get(page)
        if response.status_code != 200 or response.streaming or "html" not in response.get("Content-Type", ""):
            continue
        for form in post_forms(response.content.decode(), page):
            forms.setdefault(form.action, form)
    return forms


def _route_name(path):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _fuzz(client, user, form, today, problems):
    events = AuditEvent.objects.count()
    sent = 0
    cases = [(None, None), ("*", _MISSING),
             *[(name, _MISSING) for name in form.fields if not LATER_ROW.match(name) and name != "csrfmiddlewaretoken"]]
    # A formset's rows share their fields: the first row (and the management form) stand for all.
    fields = [f for f in form.fields.values() if not LATER_ROW.match(f.name) and f.name != "csrfmiddlewaretoken"]
    cases += [(f.name, v) for f in fields for v in nasty_values(f)]
    for name, value in cases:
        # "*": every field missing, as a browser would send it (the CSRF token only).
        data = {"csrfmiddlewaretoken": "x"} if name == "*" else _payload(form, user, today, name, value)
        response = client.post(form.action, data)
        sent += 1
        shown = "missing" if value is _MISSING else repr(value[:40] if isinstance(value, str) else value)
        if response.status_code >= 500:
            problems.append(f"{user.username} POST {form.action} {name}={shown} -> {response.status_code}")
            continue
        changed = AuditEvent.objects.exclude(verb__in=VIEW_VERBS).count() - events
        silent = not any(m in response.content for m in ERROR_MARKS)
        if silent and (response.status_code == 400 or (response.status_code == 200 and name and not changed)):
            # A re-rendered form that does not say what was wrong: the user cannot fix it.
            problems.append(f"{user.username} POST {form.action} {name}={shown} -> {response.status_code} "
                            f"with no error shown")
        refused = response.status_code >= 400 or (response.status_code == 200 and name is not None)
        if refused and changed > 0 and response.status_code >= 400:
            verbs = list(AuditEvent.objects.order_by("-pk").values_list("verb", flat=True)[:changed])
            problems.append(f"{user.username} POST {form.action} {name}={shown} -> {response.status_code} "
                            f"but wrote {verbs}")
        events = AuditEvent.objects.exclude(verb__in=VIEW_VERBS).count()
    return sent


@pytest.fixture
def quiet():
    """Thousands of refused requests: the 4xx warnings would bury a failure's output."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


# Two halves, so that `make test` (-n 2) runs them side by side: the forms of
# documents and records, and those of audits, CAPA, the auditor area and the core.
GROUPS = {
    "documents-records": lambda name: name.startswith(("documents:", "records:", "renditions:")),
    "audits-auditor-core": lambda name: not name.startswith(("documents:", "records:", "renditions:")),
}


@pytest.mark.parametrize("group", list(GROUPS))
def test_no_form_field_value_gives_a_500_or_stores_nonsense(request, quiet, group, quality_manager, author, approver,
                                                             staff, auditor, external_auditor):
    in_group = GROUPS[group]
    w, extra = _world(quality_manager, author, approver, staff, auditor, external_auditor)
    pages = list(dict.fromkeys(_pages(w, extra)))
    today = timezone.localdate()
    problems, reached, sent = [], set(), 0
    plan = []
    for who in PERSONAS:
        client = Client(raise_request_exception=False)  # a 500 is collected, not raised
        if who == "anonymous":
            user = AnonymousUser()
            pages_seen = ["/accounts/login/"]
        else:
            user = request.getfixturevalue(who)
            client.force_login(user)
            pages_seen = pages
        for action, form in _collect(client, pages_seen).items():
            name = _route_name(action)
            if name is None or name in reached:  # one form per view: the same fields on another object
                continue
            reached.add(name)
            if name not in NOT_ON_A_PAGE and in_group(name):
                plan.append((user, client, form))
    qm = Client(raise_request_exception=False)
    qm.force_login(quality_manager)
    post_routes = {name for name in _post_routes(qm, w) if in_group(name)}
    plan.sort(key=lambda p: any(word in p[2].action for word in ENDING))
    only = os.environ.get("QMS_FUZZ_ONLY", "")  # a path fragment, to re-run one form while fixing it
    for user, client, form in plan:
        if only == "none":
            print(user.username, form.action, {n: f.kind for n, f in form.fields.items()})
        elif only in form.action:
            sent += _fuzz(client, user, form, today, problems)
    problems += _nonsense_stored()
    missing = sorted(n for n in post_routes - reached - set(NOT_ON_A_PAGE) if not _api_operation(n))
    print(f"\n{group}: {len(plan)} forms on {len(pages)} pages, {sent} POSTs")
    assert not problems, "\n".join(problems[:150])
    assert not missing, f"POST views no page's form reaches (add the page or the reason): {missing}"


def _post_routes(client, w):
    """Route names whose view takes a POST, asked without sending one: an OPTIONS
    request is answered by the method decorators' 405 (or a class-based view)
    with the Allow header. A view with no method decorator takes any method."""
    out = set()
    for route in all_routes():
        for path, _side in scope_world.paths_for(route, w)[:1]:
            allow = client.options(path).get("Allow")
            if allow is None or "POST" in allow:
                out.add(route.name)
    return out


# ------------------------------------------------------------------ what was stored
def _bad_number(value) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value) or (value == 0 and math.copysign(1, value) < 0)
    if isinstance(value, Decimal):
        return not value.is_finite() or (value.is_zero() and value.is_signed())
    return False


def _nonsense_stored() -> list[str]:
    out = []
    for model in apps.get_models():
        if model._meta.app_label not in ("qms", "documents", "records", "audits", "auditor"):
            continue
        if model.__name__.startswith("Historical"):
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DecimalField | models.FloatField):
                for pk, value in model.objects.values_list("pk", f.name):
                    if _bad_number(value):
                        out.append(f"{model.__name__}#{pk}.{f.name} = {value!r}")
            elif isinstance(f, models.DateField) and not (f.auto_now or f.auto_now_add) and f.name not in COMPUTED:
                for pk, value in model.objects.values_list("pk", f.name):
                    if value is not None and not dates.in_window(value):
                        out.append(f"{model.__name__}#{pk}.{f.name} = {value!r}")
    out += _nonsense_in_record_values()
    return out


# Dates the system computes, not a user: they may lie past the window (retention runs decades).
COMPUTED = {"retain_until", "disposed_at", "expires_at", "lease_until", "last_seen_at"}


def _nonsense_in_record_values() -> list[str]:
    from records.models import Record

    out = []
    for record in Record.objects.select_related("form_version"):
        for d in record.form_version.fields or []:
            value = (record.values or {}).get(d["key"])
            if value in (None, ""):
                continue
            if d["type"] == "number":
                try:
                    number = Decimal(str(value))
                except ArithmeticError:
                    out.append(f"{record.number}.{d['key']} = {value!r} (not a number)")
                    continue
                if _bad_number(number) or str(value).startswith("-0") and number.is_zero():
                    out.append(f"{record.number}.{d['key']} = {value!r}")
            elif d["type"] == "date":
                try:
                    day = date.fromisoformat(value)
                except (TypeError, ValueError):
                    out.append(f"{record.number}.{d['key']} = {value!r} (not a date)")
                    continue
                if not dates.in_window(day):
                    out.append(f"{record.number}.{d['key']} = {value!r} (outside the window)")
    return out


def test_the_form_reader_sees_what_a_browser_sends():
    html = """<form method="post" action="/x/"><input name="a" value="1"><input type="checkbox" name="c" value="on"
    checked><select name="s"><option value="">-</option><option value="7" selected>Seven</option></select>
    <textarea name="t">hi</textarea><input type="radio" name="r" value="y"><input type="radio" name="r" value="n">
    </form><form method="get"><input name="q"></form>"""
    (form,) = post_forms(html, "/page/")
    assert form.action == "/x/"
    assert {n: f.value for n, f in form.fields.items()} == {"a": "1", "c": "on", "s": "7", "t": "hi", "r": ""}
    assert form.fields["r"].options == ["y", "n"]
