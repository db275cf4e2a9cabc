"""How the training app plugs into the core and into the other apps' pages
(registered from TrainingConfig.ready(); nobody imports this app)."""

from __future__ import annotations

from qms import integrity, nav, panels, qualifications, readers, scope
from qms.rules import allowed
from training import registers, selectors  # noqa: F401 - registers: registers, evidence, review input
from training.models import Competence, JobRole, Person, Requirement, TrainingEvidence, TrainingRecord

# ------------------------------------------------------------------ scope (ISO 9001 7.2, 7.3 through the competences)
scope.links(Competence, clauses="clauses")
scope.links(JobRole, clauses="competences__clauses")
scope.links(Requirement, clauses="competence__clauses")
scope.links(Person, clauses="job_roles__competences__clauses")
scope.links(TrainingRecord, clauses="competence__clauses")
scope.links(TrainingEvidence, clauses="record__competence__clauses")
integrity.stores_files("training.TrainingEvidence", "file", "sha256")


# ------------------------------------------------------------------ documents: role holders must read it
@readers.provider
def role_readers(document):
    return selectors.reader_ids(document)


@panels.panel("documents.Document", order=50)
def document_training_panel(request, document):
    """Which job roles depend on this document and how many holders are out of date."""
    if not allowed("training.view_matrix", request.user):
        return None
    data = selectors.document_dependants(document)
    if not data["competences"]:
        return None
    return panels.Panel(title="Training", template="training/_document_panel.html", context=data)


# ------------------------------------------------------------------ records: who may submit
@qualifications.checker
def record_submitter(user, action, obj):
    if action != "records.submit" or obj is None:
        return None
    return selectors.qualification_refusal(user, obj)


# ------------------------------------------------------------------ menu
nav.entry("Resources", "Training matrix", "training:matrix", rule="training.view_matrix",
          prefix="/training/matrix/", order=10)
nav.entry("Resources", "Job roles and competences", "training:roles", rule="training.view_catalogue",
          prefix="/training/roles/", order=11)
nav.entry("Resources", "People", "training:people", rule="training.view_matrix", prefix="/training/people/", order=12)
nav.entry("Resources", "Training records", "training:records", rule="training.view_own",
          prefix="/training/records/", order=13)
nav.entry("Resources", "Expiring qualifications", "training:expiring", rule="training.view_matrix",
          prefix="/training/expiring/", order=14)
nav.entry("Resources", "My training", "training:mine", rule="training.view_own", prefix="/training/mine/", order=15)
