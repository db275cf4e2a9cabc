"""Admin labels: every model of ours has a verbose name a person would write."""

import re

from django.apps import apps

OUR_APPS = {"qms", "documents", "records", "audits", "auditor"}
ACRONYMS = ("capa", "iso", "pdf", "qms", "sha")


def _our_models():
    for model in apps.get_models():
        # simple-history's history rows for m2m fields are library plumbing,
        # never shown in the admin or a page.
        if model._meta.app_label in OUR_APPS and "_" not in model._meta.object_name:
            yield model


def _faults(label: str) -> list[str]:
    faults = []
    last = label.split()[-1]
    if re.search(r"[^aeiou]ys$", last):
        faults.append("plural of -y made with -ys")
    if last.endswith("ss") and last not in {"access", "process"}:
        faults.append("double s")
    if re.search(r"[a-z][A-Z]", label) or "_" in label:
        faults.append("class name, not words")
    faults += [f"{a} in lower case" for a in ACRONYMS if re.search(rf"\b{a}\b", label)]
    return faults


def test_fault_finder_catches_the_reported_labels():
    assert _faults("access log entrys") and _faults("capa actions") and _faults("HistoricalUser_groupss")
    assert not _faults("access log entries") and not _faults("CAPA actions") and not _faults("auditor access")


def test_every_model_has_a_proper_plural_and_singular():
    bad = {}
    for model in _our_models():
        for label in (str(model._meta.verbose_name), str(model._meta.verbose_name_plural)):
            if faults := _faults(label):
                bad[f"{model._meta.label}: {label}"] = faults
    assert not bad


def test_admin_index_shows_fixed_labels(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-Root-123456")
    client.force_login(admin)
    html = client.get("/admin/").content.decode()
    assert "Access log entries" in html and "CAPA actions" in html
    assert "entrys" not in html.lower() and "Capa actions" not in html
