"""Issue 10, the class of "a crafted request broke a rule": every state-changing
POST is checked against the object's state in the service.

A finished world (tests/qms/finished_world.py) is built through the services.
Then every URL pattern that accepts POST and whose arguments can name a
finished object is posted to, as the quality manager and as the object's own
people (owner, lead auditor, creator, requester), with a payload that would
succeed on the object in an earlier state. Each answer is a 4xx, or a page or
redirect carrying an error; never a 5xx; and nothing changed: a fingerprint of
the finished objects (their fields and many-to-many links) and the row count
of every table (related rows, events, signatures, history, jobs,
notifications) is the same after the POST as before. Each POST runs in a
savepoint that is rolled back, so every one meets the same world.

A route that accepts POST and that the walk does not know fails the test:
add it to `targets()` (or to NOT_FINISHED with the reason) and to PAYLOADS,
and give CONTROL an object one step earlier on which its payload succeeds
(the second test). Routes without URL arguments cannot name a finished
object and are not walked. WALK_DEBUG=1 prints every answer.
"""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib.messages import constants, get_messages
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from audits.forms import AuditForm
from audits.models import AuditQuestion, Capa
from qms.concurrency import Stamp
from qms.models import Clause
from tests.audits.factories import REPORT_VALUES
from tests.factories import PASSWORD
from tests.qms import finished_world
from tests.qms.urlwalk import all_routes
from tests.records.factories import GOOD, pdf_upload
from tests.signing import shown

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------ what the walk may not judge by a fingerprint
# POSTs that legitimately act on a finished object. The walk still requires no
# 5xx and that no finished object's own fields change, except those named.
ALLOWED = {
    # A controlled print of a superseded or obsolete revision (for the QM, auditors,
    # its owner): it is stamped with its state and makes a job or a "printed" event.
    ("renditions:revision-print", "rev_superseded"): set(),
    ("renditions:revision-print", "rev_obsolete"): set(),
    # A voided record is still retained (ISO 9001 7.5.3.2) and may be needed in a dispute.
    ("records:hold", "record_void"): {"legal_hold", "legal_hold_reason"},
    # A PDF of a voided record (printed as VOID) is a job, not a change.
    ("records:pdf", "record_void"): set(),
}

# The one move a "finished" object still has: the walk checks it last, as the
# proof that no refused POST left the object stuck (issue 10: after a late
# action the quality manager could not close the CAPA).
NEXT_MOVES = {
    ("capa:capa-close", "capa_effective"),
    ("audits:audit-close", "audit_reported"),
}

# URL patterns with arguments that never name a finished object (no lifecycle, or not this walk's).
NOT_FINISHED = {
    "password_reset_confirm": "an account, not a QMS object",
    "session-end": "one's own sign-in session, not a QMS object",
    "passkey-options": "a passkey ceremony's challenge (signing in or adding one's own passkey), not a QMS object",
    "passkey-remove": "one's own sign-in credential, not a QMS object",
    "records:create": "a record type has no lifecycle (active or not)",
    "records:type-edit": "a record type has no lifecycle",
    "records:type-fields": "a record type has no lifecycle",
    "audits:question-edit": "a library question is active or not, both editable",
    "audits:question-deactivate": "a library question is active or not",
    "audits:question-activate": "a library question is active or not",
    "audits:programme-item-add": "a programme has no final state",
    "audits:proposal-accept": "a programme has no final state",
    "auditor:access-revoke": "a grant has no final state: a revoked one may be renewed (re-opened)",
    "auditor:access-renew": "a grant has no final state: renewing re-opens it by design",
}


# ------------------------------------------------------------------ which finished objects a route's arguments can name
def _doc_kw(w, key):
    return {"number": w[f"doc_{key}"].number, "seq": 1, "kind": "pdf"}


def targets(route, w) -> list[tuple[str, dict]] | None:
    """[(label of the finished object, URL kwargs)] for `route`; None: the walk does not know it."""
    n, p = route.name, set(route.params)
    if not p:
        return []  # no argument can name a finished object
    if n in NOT_FINISHED:
        return []
    for plugin in finished_world.plugins():
        found = plugin.targets(route, w)
        if found is not None:
            return found
    if n == "capa:action-complete":
        return [(k, {"pk": w[k].pk}) for k in ("action_closed", "action_effective")]
    if n.startswith("capa:"):
        return [(k, {"pk": w[k].pk}) for k in ("capa_closed", "capa_effective")]
    if n.startswith("audits:checklist-item"):
        return [(k, {"pk": w[k].pk}) for k in ("item_closed", "item_reported")]
    if n.startswith("audits:finding-") and n != "audits:finding-create":
        return [(k, {"pk": w[k].pk}) for k in ("finding_nc", "finding_closed", "finding_reported")]
    if n == "audits:evidence-download":
        return []  # a download (GET only); the evidence rows are counted with their audit
    if n.startswith("audits:") and p == {"pk"}:
        return [(k, {"pk": w[k].pk}) for k in ("audit_closed", "audit_reported")]
    if n.startswith("documents:") and "seq" in p:
        return [(f"rev_{k}", _doc_kw(w, k)) for k in ("superseded", "obsolete")]
    if n.startswith("documents:"):
        # The document of the superseded revision is in force: only the obsolete one is finished.
        return [("doc_obsolete", {"number": w["doc_obsolete"].number})]
    if n == "renditions:revision-print":
        return [(k, {"revision_id": w[k].pk}) for k in ("rev_superseded", "rev_obsolete")]
    if n in ("records:evidence-supersede", "records:evidence-download", "records:evidence-searchable"):
        return [(f"{k}_evidence0", {"pk": w[k].evidence.order_by("pk").first().pk})
                for k in ("record_void", "record_disposed")]
    if n.startswith("records:") and p == {"number"}:
        return [(k, {"number": w[k].number}) for k in ("record_void", "record_disposed")]
    if n in ("auditor:request-detail", "auditor:request-file"):
        return [("request_closed", {"pk": w["request_closed"].pk, "link_id": 10**6})]
    if n.startswith("job-"):
        return [("job", {"public_id": w["job"].public_id})]
    if n in ("object-trail", "clause-detail", "verify", "guides:page", "guides:image", "renditions:manual-download",
             "audits:ical-user", "audits:ical-programme", "auditor:asof-document", "auditor:asof-record",
             "auditor:access-detail", "records:type-detail", "audits:programme-detail"):
        return []  # pages and downloads (GET only): the dummy POST below proves it
    return None


def actors(label, w) -> list:
    """The quality manager, and the object's own people where they differ."""
    people = {  # by the label's first word; apps add theirs (plugin.ACTORS: prefix -> function of the world)
        "capa": [w["staff"], w["auditor"]],  # the owner (and action owner); an internal auditor checks effectiveness
        "action": [w["staff"]],
        "audit": [w["auditor"]], "item": [w["auditor"]], "finding": [w["auditor"], w["staff"]],  # lead; finding owner
        "rev": [w["author"], w["approver"]], "doc": [w["author"]],  # author and owner; the approver who signed
        "record": [w["staff"], w["approver"]],  # creator; a verifier
        "request": [w["external"]],  # the auditor who asked
        "job": [],
    }
    for plugin in finished_world.plugins():
        people.update({prefix: who(w) for prefix, who in plugin.ACTORS.items()})
    return [w["qm"], *people[label.split("_")[0]]]


# ------------------------------------------------------------------ payloads that would succeed earlier
def _soon(days=7) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _today() -> str:
    return timezone.localdate().isoformat()


def _sign(actor, obj, **extra) -> dict:
    return {"username": actor.username, "password": PASSWORD, "comment": "Signed in the walk", **shown(obj), **extra}


def _as_data(initial: dict) -> dict:
    """A form's initial values as POST data (instances → pk, lists → pks, datetimes → text)."""
    out = {}
    for k, v in initial.items():
        if v is None:
            out[k] = ""
        elif isinstance(v, (list, tuple)) or hasattr(v, "all"):
            out[k] = [getattr(x, "pk", x) for x in (v.all() if hasattr(v, "all") else v)]
        elif hasattr(v, "pk"):
            out[k] = v.pk
        elif hasattr(v, "strftime") and hasattr(v, "hour"):
            out[k] = v.strftime("%Y-%m-%dT%H:%M")
        elif isinstance(v, bool):
            if v:
                out[k] = "on"
        else:
            out[k] = v
    return out


def _record_values(record, **changes) -> dict:  # noqa: ARG001 - the record's form is the type's
    values = {**GOOD, **changes}
    values["sealed"] = "on"
    return values


def _shown_revision(document):
    """The revision a document's page shows (and its signing forms cover)."""
    return document.effective_revision or document.latest_revision


def _clause_pk():
    return Clause.objects.get(number="8.5.1").pk


PAYLOADS = {
    # CAPA (ISO 9001 10.2)
    "capa:capa-correction": lambda w, o, a: [{"containment": "Line stopped", "containment_date": _today(),
                                              "correction": "Sheets re-signed", "correction_date": _today()}],
    "capa:capa-analyse": lambda w, o, a: [{"ca_needed": "yes", "ca_justification": "It would recur",
                                           "why1": "No checklist", "root_cause": "No checklist at the press"}],
    "capa:capa-action-add": lambda w, o, a: [{"description": "Follow-up audit of the handover",
                                              "owner": w["author"].pk, "due_date": _soon()}],
    "capa:capa-start-actions": lambda w, o, a: [{}],
    "capa:capa-submit-verification": lambda w, o, a: [{"method": "Sample 20 more sheets", "due": _soon()}],
    "capa:capa-verify": lambda w, o, a: [{"result": r, "notes": "Checked again", "early_reason": "Asked for"}
                                         for r in ("effective", "not_effective")],
    "capa:capa-close": lambda w, o, a: [_sign(a, o)],
    "capa:capa-reassign": lambda w, o, a: [{"owner": w["author"].pk, "reason": "The owner left"}],
    "capa:action-complete": lambda w, o, a: [{"note": "Done again", "ev_record": w["evidence_record"].number}],
    # Audits (ISO 19011)
    "audits:audit-edit": lambda w, o, a: [{**_as_data(AuditForm.initial_from(o)), "title": "Renamed audit"}],
    "audits:audit-issue-plan": lambda w, o, a: [{}],
    "audits:audit-start": lambda w, o, a: [{}],
    "audits:audit-close": lambda w, o, a: [{}],
    "audits:checklist-generate": lambda w, o, a: [{}],
    "audits:checklist-add": lambda w, o, a: [{"question": "Is the press guarded?", "clause": _clause_pk()}],
    "audits:checklist-library": lambda w, o, a: [{"questions": [
        q.pk for q in AuditQuestion.objects.active().under(list(o.criteria_clauses.all()))[:2]]}],
    "audits:checklist-item": lambda w, o, a: [
        {"answer": "conforming", "notes": "Fine now", "ev_record": w["evidence_record"].number},
        {"op": "reword", "question": "Reworded question?", "clause": _clause_pk()},
    ],
    "audits:checklist-item-remove": lambda w, o, a: [{}],
    "audits:finding-create": lambda w, o, a: [{"finding_type": "observation", "clause": _clause_pk(),
                                               "statement": "A late finding", "owner": w["staff"].pk,
                                               "ev_record": w["evidence_record"].number}],
    "audits:finding-close": lambda w, o, a: [{"comment": "Closed again"}],
    "audits:finding-evidence-add": lambda w, o, a: [{"ev_record": w["evidence_record"].number, "ev_note": "More"}],
    "audits:report": lambda w, o, a: [{**REPORT_VALUES, "summary": "Rewritten after the issue"}],
    "audits:report-issue": lambda w, o, a: [_sign(a, o.report)],
    # Documents (ISO 9001 7.5)
    "documents:document-edit": lambda w, o, a: [{"title": "Renamed", "owner": w["author"].pk, "reason": "Tidy up",
                                                 "distribution_users": [w["staff"].pk]}],
    "documents:document-obsolete": lambda w, o, a: [{"reason": "Withdrawn again"}],
    "documents:document-review": lambda w, o, a: [
        _sign(a, _shown_revision(o), outcome="no_change"),
        _sign(a, _shown_revision(o), outcome="revise", comment="Bring it back"),
    ],
    "documents:document-acknowledge": lambda w, o, a: [_sign(a, _shown_revision(o))],
    "documents:revision-create": lambda w, o, a: [{"change_summary": "Bring it back", "change_reason": "New press"}],
    "documents:revision-edit": lambda w, o, a: [{
        "content": "# Purpose\nChanged after the fact.", "change_summary": "Late", "change_reason": "Late",
        "opened": Stamp.of(o.signature_content()).dumps()}],
    "documents:revision-submit": lambda w, o, a: [{"step1_kind": "approve", "step1_users": [w["approver"].pk],
                                                   "step2_kind": "", "step3_kind": "", "effective_date": _soon(),
                                                   **{f"step{i}_mode": "all" for i in (1, 2, 3)}}],
    "documents:revision-sign": lambda w, o, a: [_sign(a, o, outcome="approved", significance="significant")],
    "documents:revision-add-signer": lambda w, o, a: [
        {"step": s.pk, "user": w["qm"].pk} for s in o.route_steps.all()[:1]] or [{"user": w["qm"].pk}],
    "documents:revision-withdraw": lambda w, o, a: [{"reason": "Withdrawn in the walk"}],
    "renditions:revision-print": lambda w, o, a: [{}],
    # Records (ISO 9001 7.5.3)
    "records:edit": lambda w, o, a: [{**_record_values(o), "action": "draft"}, {**_record_values(o), "action": "submit"}],
    "records:submit": lambda w, o, a: [{}],
    "records:evidence-add": lambda w, o, a: [{"evidence": pdf_upload("late.pdf")}],
    "records:verify": lambda w, o, a: [_sign(a, o)],
    "records:amend": lambda w, o, a: [{**_record_values(o, deviation="2.5"), "amendment_reason": "Typo"}],
    "records:void": lambda w, o, a: [{"reason": "Voided again"}],
    "records:hold": lambda w, o, a: [{"legal_hold": "on", "reason": "Dispute with a customer"}],
    "records:dispose": lambda w, o, a: [{"reason": "Retention over", **_sign(a, o)}],
    "records:pdf": lambda w, o, a: [{}],
    "records:evidence-supersede": lambda w, o, a: [{"reason": "Wrong file"}],
    # External auditor's evidence requests
    "auditor:request-detail": lambda w, o, a: [{"close": "1"},
                                               {"answer": "More evidence", "references": w["doc_superseded"].number}],
    # Jobs
    "job-retry": lambda w, o, a: [{}],
}


# ------------------------------------------------------------------ harvesting a GET page's form
class _FormFields(HTMLParser):
    """The named fields of the forms on a page, with the values a browser would send."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict]] = []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append((a.get("action") or "", {}))
        if not self.forms or not a.get("name"):
            if tag == "option" and self._select and "selected" in a:
                self.forms[-1][1].setdefault(self._select, []).append(a.get("value", ""))
            return
        fields = self.forms[-1][1]
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "reset") or (kind in ("checkbox", "radio") and "checked" not in a):
                return
            fields.setdefault(name, []).append(a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            fields.setdefault(name, []).append("")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            values = self.forms[-1][1][self._textarea]
            values[-1] += data


def harvest(client, path) -> dict:
    """The fields of the page's form that posts to `path` (or to itself), as POST data."""
    response = client.get(path)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return {}
    parser = _FormFields()
    parser.feed(response.content.decode("utf-8", "replace"))
    data: dict = {}
    for action, fields in parser.forms:
        if action in ("", path) and "csrfmiddlewaretoken" in fields:
            for k, v in fields.items():
                if k != "csrfmiddlewaretoken":
                    data[k] = v if len(v) > 1 else v[0]
    return data


# ------------------------------------------------------------------ the fingerprint
# Tables that change on any request, whatever it does.
NOISE = {"sessions.session", "auditor.accesslogentry", "admin.logentry"}


class Fingerprint:
    """The finished objects' fields and many-to-many links, and every table's
    row count (new actions, findings, evidence, signatures, decisions, events,
    history rows, jobs, notifications all show there).

    `digest()` is one query (PostgreSQL hashes the rows); `detail()` is the
    readable form, computed only when the digest differs."""

    def __init__(self, objs: dict):
        self.objs = objs
        q = connection.ops.quote_name
        self.tables = sorted({m._meta.db_table for m in apps.get_models() if m._meta.managed
                              and m._meta.label_lower not in NOISE and m._meta.app_label != "axes"})
        parts, self.params = [], []
        for t in self.tables:
            parts.append(f"SELECT %s, COUNT(*)::text FROM {q(t)}")
            self.params.append(f"rows {t}")
        for label, obj in objs.items():
            meta = type(obj)._meta
            parts.append(f"SELECT %s, md5(row_to_json(t)::text) FROM {q(meta.db_table)} t WHERE t.{q(meta.pk.column)} = %s")
            self.params += [label, obj.pk]
            for f in meta.many_to_many:
                through = f.remote_field.through._meta
                src = q(through.get_field(f.m2m_field_name()).column)
                dst = q(through.get_field(f.m2m_reverse_field_name()).column)
                parts.append(f"SELECT %s, string_agg({dst}::text, ',' ORDER BY {dst}) FROM {q(through.db_table)} "
                             f"WHERE {src} = %s")
                self.params += [f"{label}.{f.name}", obj.pk]
        self.sql = " UNION ALL ".join(parts)

    def digest(self):
        if connection.vendor != "postgresql":
            return self.detail()
        with connection.cursor() as cur:
            cur.execute(self.sql, self.params)
            return dict(cur.fetchall())

    def detail(self) -> dict:
        q = connection.ops.quote_name
        with connection.cursor() as cur:
            cur.execute(" UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {q(t)}" for t in self.tables))
            counts = dict(cur.fetchall())
        fields = {}
        for label, obj in self.objs.items():
            model = type(obj)
            row = model._base_manager.filter(pk=obj.pk).values(*[f.attname for f in model._meta.concrete_fields]).first()
            for f in model._meta.many_to_many if row is not None else ():
                row[f.name] = sorted(f.remote_field.through.objects.filter(**{f.m2m_field_name(): obj.pk})
                                     .values_list(f.m2m_reverse_name(), flat=True))
            fields[label] = row
        return {"fields": fields, "counts": counts}


def _diff(before, after, *, allowed_fields=None) -> list[str]:
    """What changed (both `detail()`s); with `allowed_fields` (an ALLOWED entry)
    only the other fields of the finished objects count."""
    out = []
    for label, row in before["fields"].items():
        new = after["fields"][label]
        if new is None:
            out.append(f"{label}: deleted")
            continue
        for k, v in row.items():
            if new.get(k) != v and not (allowed_fields is not None and k in allowed_fields):
                out.append(f"{label}.{k}: {v!r:.60} -> {new.get(k)!r:.60}")
    if allowed_fields is None:
        out += [f"{t}: {n} -> {after['counts'][t]} rows" for t, n in before["counts"].items()
                if after["counts"][t] != n]
    return out


class Baseline:
    """The world's fingerprint before any POST, to compare each answer with."""

    def __init__(self, objs: dict):
        self.fp = Fingerprint(objs)
        self.digest, self.detail = self.fp.digest(), self.fp.detail()

    def changes(self, *, allowed_fields=None) -> list[str]:
        if self.fp.digest() == self.digest:
            return []
        return _diff(self.detail, self.fp.detail(), allowed_fields=allowed_fields)


# ------------------------------------------------------------------ judging the answer
FIELD_ERRORS = ("This field is required.", "Enter a valid", "Select a valid choice", "Enter a whole number",
                "Choose at least one person")


def _messages(response) -> list:
    try:
        return list(get_messages(response.wsgi_request))
    except Exception:  # noqa: BLE001 - a response without a request (none here)
        return []


def _alerts(response) -> list[str]:
    import re

    text = b"" if response.streaming else response.content
    return [re.sub(r"<[^>]+>|\s+", " ", m)[:90] for m in
            re.findall(r'class="alert alert-danger[^"]*"[^>]*>(.*?)</div>', text.decode("utf-8", "replace"), re.S)]


def judge(response) -> str | None:
    """None when the answer is a refusal the user can read; else what is wrong with it."""
    body = b"" if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    bad_payload = [e for e in FIELD_ERRORS if e in text]
    if bad_payload:
        return f"the walk's payload is invalid ({bad_payload}): fix PAYLOADS"
    if 400 <= response.status_code < 500:
        return None
    msgs = _messages(response)
    if any(m.level >= constants.WARNING for m in msgs) or "alert-danger" in text:
        return None
    if any(m.level == constants.SUCCESS for m in msgs):
        return f"{response.status_code} with a success message: {[str(m) for m in msgs]}"
    return f"{response.status_code} without an error message"


def _post(client, path, data, baseline: Baseline, *, harvest_page=False, allowed_fields=None):
    """POST in a savepoint that is rolled back, so every POST meets the same
    world; returns (response, what went wrong, what changed). With
    `harvest_page`, the fields of the route's own GET page are sent too."""
    client.cookies.pop("messages", None)  # only this answer's messages count
    with transaction.atomic():
        try:
            page = harvest(client, path) if harvest_page else {}
            client.cookies.pop("messages", None)
            response = client.post(path, {**page, **data})
        except Exception as exc:  # noqa: BLE001 - an exception in the view is a 500 to the user
            transaction.set_rollback(True)
            return None, f"raised {type(exc).__name__}: {str(exc)[:200]}", []
        changed = baseline.changes(allowed_fields=allowed_fields)
        transaction.set_rollback(True)
    return response, None, changed


# ------------------------------------------------------------------ the walk
@pytest.fixture
def world(quality_manager, author, approver, staff, auditor, external_auditor, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    w = finished_world.build(quality_manager=quality_manager, author=author, approver=approver, staff=staff,
                             auditor_user=auditor, external_auditor=external_auditor)
    return w


def _only() -> tuple[str, ...]:
    """WALK_ONLY=planning:,reviews: walks only the routes with those name prefixes (a quick
    run while writing an app's tests/<app>/state.py; unset in CI, where every route is walked)."""
    return tuple(p for p in os.environ.get("WALK_ONLY", "").split(",") if p)


def _clients(w):
    out = {}
    for key in ("qm", "author", "approver", "staff", "auditor", "external"):
        c = Client()
        c.force_login(w[key])
        out[w[key].pk] = c
    return out


def test_no_post_changes_a_finished_object(world):
    w = world
    objs = finished_world.finished_objects(w)
    clients = _clients(w)  # (logging in writes events: before the baseline)
    qm = clients[w["qm"].pk]
    baseline = Baseline(objs)
    problems, posted, next_moves = [], 0, []
    only = _only()
    for route in all_routes():
        if only and not route.name.startswith(only):
            continue
        found = targets(route, w)
        if found is None:
            # Not known to the walk: fine if it is GET-only (405 before any lookup).
            dummy = {k: (uuid.uuid4() if v == "UUIDConverter" else 10**6 if v == "IntConverter" else "x")
                     for k, v in route.converters.items()}
            response, raised, _ = _post(qm, route.build(**dummy), {}, baseline)
            if raised or response.status_code != 405:
                problems.append(f"{route.name} ({route.pattern}) accepts POST and the walk does not know it: "
                                "add it to targets() and PAYLOADS (or NOT_FINISHED with the reason).")
            continue
        if not found:
            continue
        paths = [(label, route.build(**{k: v for k, v in kw.items() if k in route.params})) for label, kw in found]
        response, raised, _ = _post(qm, paths[0][1], {}, baseline)
        if response is not None and response.status_code == 405:
            continue  # GET only
        explicit = PAYLOADS.get(route.name)
        if explicit is None:
            problems.append(f"{route.name} accepts POST: give it a payload in PAYLOADS")
            continue
        has_page = qm.get(paths[0][1]).status_code != 405  # a form page of its own to harvest
        for label, path in paths:
            if (route.name, label) in NEXT_MOVES:
                next_moves.append((route.name, label))
                continue
            obj, allowed = objs[label], ALLOWED.get((route.name, label))
            for actor in actors(label, w):
                for data in explicit(w, obj, actor):
                    response, raised, changed = _post(clients[actor.pk], path, data, baseline,
                                                      harvest_page=has_page, allowed_fields=allowed)
                    posted += 1
                    if os.environ.get("WALK_DEBUG") and response is not None:
                        print("DBG", route.name, label, actor.username, sorted(data)[:3], response.status_code,
                              [str(m)[:90] for m in _messages(response)], _alerts(response))
                    who = f"{route.name} on {label} as {actor.username} {sorted(data)}"
                    if raised:
                        problems.append(f"{who}: {raised}")
                        continue
                    if response.status_code >= 500:
                        problems.append(f"{who}: {response.status_code}")
                        continue
                    if changed:
                        problems.append(f"{who}: changed {changed}")
                    elif allowed is None and (verdict := judge(response)):
                        problems.append(f"{who}: {verdict}")
    names = {r.name for r in all_routes()}
    stale = (set(NOT_FINISHED) | set(PAYLOADS) | {n for n, _ in ALLOWED} | {n for n, _ in NEXT_MOVES}) - names
    assert not stale, f"the walk names routes that no longer exist: {sorted(stale)}"
    assert not problems, "\n".join(problems)
    if only:
        return  # WALK_ONLY: one app's routes while writing its part of the walk; CI walks them all
    assert posted > 150, posted  # the walk really posted (every route above, several people, several payloads)

    # The finished objects still make their one remaining move.
    assert set(next_moves) == NEXT_MOVES
    qm.post(f"/capa/{w['capa_effective'].pk}/close/", _sign(w["qm"], w["capa_effective"]))
    qm.post(f"/audits/{w['audit_reported'].pk}/close/")
    w["capa_effective"].refresh_from_db()
    w["audit_reported"].refresh_from_db()
    assert (w["capa_effective"].status, w["audit_reported"].status) == (Capa.Status.CLOSED, "closed")


# ------------------------------------------------------------------ the control: the same payloads succeed one step earlier
# Route → [(object of the earlier world, who posts, which payload variant (None: each))].
CONTROL = {
    "capa:capa-correction": [("capa_open", "staff", None)],
    "capa:capa-analyse": [("capa_open", "staff", None)],
    "capa:capa-action-add": [("capa_analysed", "staff", None)],
    "capa:capa-start-actions": [("capa_planned", "staff", None)],
    "capa:capa-submit-verification": [("capa_done", "staff", None)],
    "capa:capa-verify": [("capa_verifying", "qm", None)],
    "capa:capa-close": [("capa_effective", "qm", None)],
    "capa:capa-reassign": [("capa_open", "qm", None)],
    "capa:action-complete": [("action_open", "staff", None)],
    "audits:audit-edit": [("audit_planned", "qm", None)],
    "audits:audit-issue-plan": [("audit_planned", "auditor", None)],
    "audits:audit-start": [("audit_prepared", "auditor", None)],
    "audits:audit-close": [("audit_reported", "qm", None)],
    "audits:checklist-generate": [("audit_in_progress", "auditor", None)],
    "audits:checklist-add": [("audit_in_progress", "auditor", None)],
    "audits:checklist-library": [("audit_in_progress", "auditor", None)],
    "audits:checklist-item": [("item_open", "auditor", None)],
    "audits:checklist-item-remove": [("item_open", "auditor", None)],
    "audits:finding-create": [("audit_in_progress", "auditor", None)],
    "audits:finding-close": [("finding_open", "qm", None)],
    "audits:finding-evidence-add": [("finding_open", "auditor", None)],
    "audits:report": [("audit_in_progress", "auditor", None)],
    "audits:report-issue": [("audit_in_progress", "auditor", None)],
    "documents:document-edit": [("doc_live", "author", None)],
    "documents:document-obsolete": [("doc_live", "author", None)],
    "documents:document-review": [("doc_live", "author", None)],
    "documents:document-acknowledge": [("doc_live", "staff", None)],
    "documents:revision-create": [("doc_live", "author", None)],
    "documents:revision-edit": [("rev_draft", "author", None)],
    "documents:revision-submit": [("rev_draft", "author", None)],
    "documents:revision-sign": [("rev_in_review", "approver", None)],
    "documents:revision-add-signer": [("rev_in_review", "author", None)],
    "documents:revision-withdraw": [("rev_in_review", "author", None)],
    "renditions:revision-print": [("rev_effective", "staff", None)],
    "records:edit": [("record_draft", "staff", None)],
    "records:submit": [("record_draft", "staff", None)],
    "records:evidence-add": [("record_draft", "staff", None)],
    "records:verify": [("record_submitted", "approver", None)],
    "records:amend": [("record_submitted", "staff", None)],
    "records:void": [("record_submitted", "qm", None)],
    "records:hold": [("record_submitted", "qm", None)],
    "records:dispose": [("record_old", "qm", None)],
    "records:pdf": [("record_submitted", "staff", None)],
    "records:evidence-supersede": [("record_submitted_evidence0", "staff", None)],
    "auditor:request-detail": [("request_answered", "external", 0), ("request_open", "qm", 1)],
    "job-retry": [("job_failed", "qm", None)],
}


# The apps' parts of the walk (tests/<app>/state.py, listed in finished_world.STATE_APPS):
#   build_finished(w) / finished_objects(w): their finished objects, labelled "<prefix>_<state>";
#   build_earlier(w): their objects one step earlier (for CONTROL);
#   targets(route, w): like targets() above for their routes (None: not theirs);
#   ACTORS {prefix: function(w) -> [users]}; PAYLOADS, CONTROL, NOT_FINISHED, ALLOWED, NEXT_MOVES as above;
#   kwargs(obj) -> URL arguments naming one of their objects, or None.
for _plugin in finished_world.plugins():
    PAYLOADS.update(_plugin.PAYLOADS)
    CONTROL.update(_plugin.CONTROL)
    NOT_FINISHED.update(getattr(_plugin, "NOT_FINISHED", {}))
    ALLOWED.update(getattr(_plugin, "ALLOWED", {}))
    NEXT_MOVES.update(getattr(_plugin, "NEXT_MOVES", set()))


def _kwargs(obj) -> dict:
    """URL arguments naming `obj`, for any route whose pattern takes them."""
    from documents.models import Document, Revision
    from qms.models import Job
    from records.models import Record

    extra = {}  # an app's own arguments for the object (the API names a revision by document_number and seq)
    for plugin in finished_world.plugins():
        found = plugin.kwargs(obj) if hasattr(plugin, "kwargs") else None
        if found is not None:
            extra = found
            break
    if isinstance(obj, Revision):
        return {"number": obj.document.number, "seq": obj.seq, "revision_id": obj.pk, **extra}
    if isinstance(obj, (Document, Record)):
        return {"number": obj.number, **extra}
    if isinstance(obj, Job):
        return {"public_id": obj.public_id, **extra}
    return extra or {"pk": obj.pk}


@pytest.fixture
def earlier(quality_manager, author, approver, staff, auditor, external_auditor, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return finished_world.build_earlier(quality_manager=quality_manager, author=author, approver=approver,
                                        staff=staff, auditor_user=auditor, external_auditor=external_auditor)


def test_the_walks_payloads_succeed_one_step_earlier(earlier):
    """The walk proves something only if its payloads are ones that work: each
    one, posted to the same route on an object one step before its final state,
    succeeds and changes something."""
    w = earlier
    assert set(CONTROL) == set(PAYLOADS)
    routes = {r.name: r for r in all_routes()}
    people = ("qm", "author", "approver", "staff", "auditor", "external")
    clients = _clients(w)
    baseline = Baseline({k: v for k, v in w.items() if hasattr(v, "pk") and k not in people})
    problems = []
    only = _only()
    for name, cases in CONTROL.items():
        if only and not name.startswith(only):
            continue
        route = routes[name]
        for label, who, variant in cases:
            obj, actor = w[label], w[who]
            path = route.build(**{k: v for k, v in _kwargs(obj).items() if k in route.params})
            variants = PAYLOADS[name](w, obj, actor)
            for data in variants if variant is None else [variants[variant]]:
                response, raised, changed = _post(clients[actor.pk], path, data, baseline, harvest_page=True)
                what = f"{name} on {label} as {who} {sorted(data)}"
                if raised or response.status_code >= 400:
                    problems.append(f"{what}: {raised or response.status_code} {_alerts(response)}")
                    continue
                errors = [str(m) for m in _messages(response) if m.level >= constants.WARNING] + _alerts(response)
                if errors or not changed:
                    problems.append(f"{what}: nothing changed {errors}")
    assert not problems, "\n".join(problems)
