"""A small world with one object of every kind inside and outside an 8.5 grant,
and the URL arguments of every URL pattern built from it (for the scope walk)."""

from __future__ import annotations

import importlib
import uuid
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from auditor import services as auditor_services
from audits import services as audit_services
from audits.models import CalendarToken
from qms import registers
from qms.models import Clause
from tests.audits.factories import make_audit, make_process
from tests.documents.factories import make_effective
from tests.factories import DepartmentFactory
from tests.records.factories import make_record, make_type
from tests.records.factories import pdf_upload as record_pdf

SECRET = "Zanzibar"  # the word only out-of-scope objects carry


def clause(number):
    return Clause.objects.get(number=number)


# Apps whose objects join the world from tests/<app>/world.py, a module with
#   build(w, *, quality_manager, author, approver, staff, auditor, external_auditor)
#       puts its objects in w["in"][key] / w["out"][key] (and shared ones in w[key]);
#   path_kwargs(name, side, w) -> (kwargs, shared) for its routes, or None;
#   markers(w) -> words only its out-of-scope objects carry (optional);
#   trail_targets(w, side) -> its objects with an audit trail (optional).
WORLD_APPS = ("planning", "reviews", "training", "suppliers", "equipment", "intake", "api")


def plugins() -> list:
    out = []
    for app in WORLD_APPS:
        try:
            out.append(importlib.import_module(f"tests.{app}.world"))
        except ModuleNotFoundError as e:
            if e.name != f"tests.{app}.world":
                raise
    return out


def build(*, quality_manager, author, approver, staff, auditor, external_auditor):
    access = external_auditor.auditor_access
    access.all_scope = False
    access.save()
    access.clauses.set([clause("8.5")])
    hr = DepartmentFactory(code="HR", name="People")
    w = {"in": {}, "out": {}}
    w["in"]["doc"] = make_effective(author, approver, title="Machine set-up", content="Set the press.",
                                    clauses=[clause("8.5.1")])
    w["out"]["doc"] = make_effective(author, approver, title=f"{SECRET} onboarding", department=hr,
                                     content=f"{SECRET} hiring text.", clauses=[clause("7.2")])
    t_in = make_type("PRS", verification_required=False, name="Press check")
    t_in.clauses.set([clause("8.5.1")])
    t_out = make_type("ZNZ", verification_required=False, name=f"{SECRET} training")
    t_out.clauses.set([clause("7.2")])
    w["in"]["type"], w["out"]["type"] = t_in, t_out
    w["in"]["rec"] = make_record(staff, t_in, evidence=[record_pdf("press.pdf")])
    w["out"]["rec"] = make_record(staff, t_out, values={"instrument": f"{SECRET}-7", "deviation": "1",
                                                       "cal_date": "2026-03-01", "result": "Pass"},
                                  evidence=[record_pdf("training.pdf")])
    prd = make_process(code="PRD", name="Production", dept_code="PRD")
    hrp = make_process(code="HRP", name="Hiring", dept_code="HR")
    prog = audit_services.programme_create(actor=quality_manager, title="Programme", objectives="All",
                                           period_start=timezone.localdate().replace(month=1, day=1),
                                           period_end=timezone.localdate().replace(month=12, day=31))
    w["in"]["audit"] = make_audit(quality_manager, auditor, prd, clauses=("8.5.1",), state="in_progress",
                                  programme=prog)
    w["out"]["audit"] = make_audit(quality_manager, auditor, hrp, clauses=("7.2",), state="in_progress",
                                   scope=f"{SECRET} hiring scope", programme=prog)
    for side, cl in (("in", "8.5.1"), ("out", "7.2")):
        audit = w[side]["audit"]
        word = SECRET if side == "out" else "Press"
        w[side]["item"] = audit_services.checklist_item_save(actor=auditor, audit=audit, item=None,
                                                             question=f"{word} question?", clause=clause(cl))
        w[side]["finding"] = audit_services.finding_raise(
            actor=auditor, audit=audit, finding_type="ofi", clause=clause(cl), statement=f"{word} finding text",
            owner=staff, process=audit.processes.first())
        capa = audit_services.capa_raise(actor=quality_manager, source="process", title=f"{word} line stop",
                                         description=f"{word} description", severity="minor", owner=staff,
                                         clause=clause(cl))
        audit_services.capa_analyse(actor=quality_manager, capa=capa, ca_needed=True, justification="Needed",
                                    whys=["why"], root_cause=f"{word} root cause")
        w[side]["action"] = audit_services.capa_action_add(actor=quality_manager, capa=capa, description=f"{word} fix",
                                                           owner=staff, due_date=timezone.localdate() + timedelta(30))
        w[side]["capa"] = capa
    w["programme"] = prog
    w["token"] = CalendarToken.objects.create(user=external_auditor, token="ext-token-" + uuid.uuid4().hex).token
    w["access"] = access
    w["request"] = auditor_services.request_evidence(actor=external_auditor, subject="Press records",
                                                     details="Show the press records.")
    w["qm"] = quality_manager
    for plugin in plugins():
        plugin.build(w, quality_manager=quality_manager, author=author, approver=approver, staff=staff,
                     auditor=auditor, external_auditor=external_auditor)
    return w


def markers(w) -> list[str]:
    out = w["out"]
    words = [SECRET, out["doc"].number, out["rec"].number, out["audit"].number, out["capa"].number]
    return words + [m for plugin in plugins() if hasattr(plugin, "markers") for m in plugin.markers(w)]


def _trail_targets(w, side):
    objs = [w[side][k] for k in ("doc", "type", "rec", "audit", "finding", "capa", "action", "item")]
    objs.append(w[side]["doc"].latest_revision)
    if side == "out":
        objs.append(w["qm"])
        objs.append(w["programme"])
    objs += [o for plugin in plugins() if hasattr(plugin, "trail_targets") for o in plugin.trail_targets(w, side)]
    return objs


def paths_for(route, w):
    """[(path, side)] for one route; side is "in", "out" or "any" (not an object of either side)."""
    n = route.name
    p = set(route.params)
    if not p:
        return [(route.build(), "any")]
    out = []
    for side in ("in", "out"):
        s = w[side]
        kw = None
        if n == "object-trail":
            out += [(route.build(ct_id=ContentType.objects.get_for_model(o).pk, object_id=o.pk), side)
                    for o in _trail_targets(w, side)]
            continue
        if n in ("register-export", "auditor:asof-register"):
            # Every declared register (qms.registers), once; each narrows by scope itself.
            if side == "in":
                out += [(route.build(slug=r.slug), "any") for r in registers.all_registers()]
                out.append((route.build(slug="no-such-register"), "any"))
            continue
        if n == "clause-detail":
            kw = {"number": "8.5.1" if side == "in" else "7.2"}
        elif n.startswith("documents:") or n.startswith("auditor:asof-document"):
            kw = {"number": s["doc"].number, "seq": 1, "kind": "pdf"}
        elif n == "renditions:revision-print":
            kw = {"revision_id": s["doc"].latest_revision.pk}
        elif n.startswith("records:type-"):
            kw = {"code": s["type"].code}
        elif n == "records:create":
            kw = {"code": s["type"].code}
        elif n in ("records:evidence-download", "records:evidence-supersede", "records:evidence-searchable"):
            kw = {"pk": s["rec"].evidence.get().pk}
        elif n.startswith("records:") or n == "auditor:asof-record":
            kw = {"number": s["rec"].number}
        elif n.startswith("audits:checklist-item"):
            kw = {"pk": s["item"].pk}
        elif n.startswith("audits:finding-") and n != "audits:finding-create":
            kw = {"pk": s["finding"].pk}
        elif n.startswith("audits:programme") or n == "audits:proposal-accept":
            kw = {"pk": w["programme"].pk}
        elif n in ("audits:ical-user", "audits:ical-programme"):
            kw = {"token": w["token"]}
        elif n == "audits:evidence-download":
            kw = {"pk": 10**6}
        elif n.startswith("audits:"):
            kw = {"pk": s["audit"].pk}
        elif n == "capa:action-complete":
            kw = {"pk": s["action"].pk}
        elif n.startswith("capa:"):
            kw = {"pk": s["capa"].pk}
        elif n.startswith("auditor:access"):
            kw = {"pk": w["access"].pk}
        elif n.startswith("auditor:request"):
            kw = {"pk": w["request"].pk, "link_id": 10**6}
        elif n == "renditions:manual-download":
            kw = {"manual_revision": 1}
        elif n.startswith("job-"):
            kw = {"public_id": uuid.uuid4()}
        elif n == "verify":
            kw = {"token": "no-such-token"}
        elif n == "chart-export":
            kw = {"key": "documents.by_status"}  # aggregates: refused to a scoped auditor by its rule
        elif n in ("session-end", "passkey-remove"):
            kw = {"pk": 10**6}  # a session / security key of one's own (the view looks it up among the user's)
        elif n == "passkey-options":
            kw = {"purpose": "signing"}  # one's own security key's options
        elif n == "password_reset_confirm":
            kw = {"uidb64": "MQ", "token": "set-password"}
        elif n == "guides:page":
            kw = {"name": "auditor-guide"}
        elif n == "picker":  # the searchable selects' lists (qms/widgets.py): each narrows by scope itself
            kw = {"name": "documents" if side == "in" else "records"}
        elif n == "guides:image":
            kw = {"name": "auditor-asof-document.png"}
        shared_by_plugin = False
        if kw is None:
            for plugin in plugins():
                found = plugin.path_kwargs(n, side, w)
                if found is not None:
                    kw, shared_by_plugin = found
                    break
        if kw is None:
            raise AssertionError(f"The scope walk does not know how to build {n} ({route.pattern}); add it.")
        path = route.build(**{k: v for k, v in kw.items() if k in p})
        # Routes whose argument is not one of the two sides' objects.
        shared = n in ("audits:ical-user", "audits:ical-programme", "audits:evidence-download",
                       "renditions:manual-download", "verify", "password_reset_confirm", "session-end", "chart-export",
                       "picker", "passkey-remove", "passkey-options") or n.startswith(
            ("audits:programme", "audits:proposal", "auditor:access", "auditor:request", "job-", "guides:"))
        shared = shared or shared_by_plugin
        out.append((path, "any" if shared else side))
    return list(dict.fromkeys(out))
