"""The API's part of the scope walk's world (tests/auditor/scope_world.py):
the URL arguments of every /api/ route, from the world's in- and out-of-scope
objects, so the scope walk and the parameter fuzz cover the API too."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone


def build(w, *, quality_manager, author, approver, staff, auditor, external_auditor):
    from api import services

    # A token on the quality manager's page, so the revoke form is on a page (the form fuzz).
    w["api_token"] = services.token_create(actor=quality_manager, name="Walk token",
                                           expires_at=timezone.now() + timedelta(days=30)).token
    # A webhook endpoint with a delivery, so its pages and buttons are walked (issue 16).
    from django.test import override_settings

    from api import webhooks

    with override_settings(WEBHOOKS_ALLOW_HTTP=True):
        w["webhook"] = webhooks.endpoint_create(actor=quality_manager, name="Walk hook", url="http://127.0.0.1:8129/",
                                                events=["record.verified"]).endpoint
    w["webhook_delivery"] = webhooks.send_test(actor=quality_manager, endpoint=w["webhook"])


def _side_kwargs(name: str, s: dict) -> dict | None:
    if name.startswith("api:revision-"):
        return {"document_number": s["doc"].number, "seq": 1}
    if name.startswith("api:document-"):
        return {"number": s["doc"].number}
    if name.startswith("api:record-type-"):
        return {"code": s["type"].code}
    if name.startswith("api:record-"):
        return {"number": s["rec"].number}
    if name.startswith("api:evidence-") and not name.startswith("api:evidence-request-"):
        return {"pk": s["rec"].evidence.get().pk}
    if name.startswith("api:audit-"):
        return {"pk": s["audit"].pk}
    if name.startswith("api:checklist-item-"):
        return {"pk": s["item"].pk}
    if name.startswith("api:finding-"):
        return {"pk": s["finding"].pk}
    if name.startswith("api:capa-action-"):
        return {"pk": s["action"].pk}
    if name.startswith("api:capa-"):
        return {"pk": s["capa"].pk}
    if name.startswith("api:instrument-"):
        return {"code": s["instrument"].code}
    if name.startswith("api:calibration-"):
        return {"pk": s["calibration"].pk}
    if name.startswith("api:qualification-"):  # who may submit the side's record type's records
        return {"code": s["type"].code}
    if name.startswith("api:supplier-criterion-"):
        return None  # the evaluation criteria are everyone's (path_kwargs)
    if name.startswith("api:supplier-evaluation-"):
        return {"pk": s["evaluation"].pk}
    if name.startswith("api:supplier-certificate-"):
        return {"pk": s["supplier_cert"].pk}
    if name.startswith("api:supplier-"):
        return {"code": s["supplier"].code}
    if name.startswith("api:competence-"):
        return {"pk": s["competence"].pk}
    if name.startswith("api:job-role-"):
        return {"pk": s["role"].pk}
    if name.startswith("api:person-"):
        return {"pk": s["person"].pk}
    if name.startswith("api:training-record-"):
        return {"pk": s["training_record"].pk}
    if name.startswith("api:training-evidence-"):
        return {"pk": s["training_evidence"].pk}
    for prefix, key in (("api:context-issue-", "issue"), ("api:interested-party-", "party"), ("api:risk-action-",
                        "risk_action"), ("api:risk-", "risk"), ("api:objective-", "objective"), ("api:kpi-", "kpi"),
                        ("api:survey-", "survey"), ("api:management-review-", "review"), ("api:decision-", "decision")):
        if name.startswith(prefix):
            return {"pk": s[key].pk}
    if name.startswith("api:complaint-"):
        return {"number": s["complaint"].number}
    if name == "api:trail-detail":
        return {"object_id": f"documents.document:{s['doc'].pk}"}
    return None


def path_kwargs(name: str, side: str, w):
    if not name.startswith("api:"):
        return None
    found = _side_kwargs(name, w[side])
    if found is not None:
        return found, False
    # Routes whose argument is not one of the two sides' objects.
    if name.startswith("api:evidence-request-"):
        return {"pk": w["request"].pk, "link_id": 10**6}, True
    if name.startswith("api:job-"):
        return {"public_id": uuid.uuid4()}, True
    if name.startswith("api:user-"):
        return {"username": w["qm"].username}, True
    if name == "api:no-such-operation":
        return {"rest": "no-such-resource/"}, True
    if name == "api:webhooks-redeliver":
        return {"pk": w["webhook_delivery"].pk}, True
    if name.startswith("api:webhooks-"):
        return {"pk": w["webhook"].pk}, True
    if name.startswith("api:webhook-"):  # the API resource
        return ({"pk": w["webhook"].pk, "delivery_id": w["webhook_delivery"].public_id}
                if name == "api:webhook-redeliver" else {"pk": w["webhook"].pk}), True
    if name.startswith("api:measurement-"):
        return {"pk": 10**6}, True  # the world's KPIs have no measurement with evidence: a 404 for all
    if name.startswith("api:supplier-criterion-"):
        from tests.suppliers.factories import make_criteria

        return {"pk": make_criteria()[0].pk}, True
    if name == "api:token-revoke":
        return {"pk": w["api_token"].pk}, True
    return None
