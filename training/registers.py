"""The training app's registers (qms.registers), readiness evidence (qms.evidence)
and its part of the management review's "adequacy of resources" input
(qms.review_inputs). Each runs a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from qms import evidence, registers, review_inputs, scope
from training import matrix
from training.models import Competence, JobRole, Requirement, TrainingRecord


def _end_of(on: date) -> datetime:
    return datetime.combine(on + timedelta(days=1), time.min, tzinfo=UTC)


def _label(choices, value) -> str:
    with translation.override("en"):  # exports stay in English, like their column headings
        return str(dict(choices).get(value, value))


# ------------------------------------------------------------------ job roles and competences
ROLE_COLUMNS = ["Job role", "Job role name", "Competence", "Competence name", "Kind", "Validity (months)"]


def role_rows(user, on: date | None):
    visible = scope.narrow(Competence.objects.all(), user).values("pk")
    if on is None:
        reqs = (Requirement.objects.filter(competence__in=visible).select_related("role", "competence")
                .order_by("role__code", "competence__code"))
        return [[r.role.code, r.role.name, r.competence.code, r.competence.name, _label(Competence.Kind.choices, r.competence.kind),
                 r.competence.validity_months or ""] for r in reqs]
    end = _end_of(on)
    roles = {r.pk: r for r in JobRole.history.as_of(end)}
    comps = {c.pk: c for c in Competence.history.as_of(end).filter(id__in=visible)}
    out = []
    for r in Requirement.history.as_of(end):
        role, comp = roles.get(r.role_id), comps.get(r.competence_id)
        if role and comp:
            out.append([role.code, role.name, comp.code, comp.name, _label(Competence.Kind.choices, comp.kind),
                        comp.validity_months or ""])
    return sorted(out, key=lambda row: (row[0], row[2]))


# ------------------------------------------------------------------ training records
RECORD_COLUMNS = ["Record", "Person", "Competence", "Date", "Trainer", "Method", "Result", "Status",
                  "Effectiveness", "Effectiveness checked"]


def _record_row(r, person_name, comp_code, trainer_name):
    return [f"TR-{r.pk:05d}", person_name, comp_code, r.trained_on, trainer_name,
            _label(TrainingRecord.Method.choices, r.method), _label(TrainingRecord.Result.choices, r.result),
            _label(TrainingRecord.Status.choices, r.status),
            _label(TrainingRecord.Effectiveness.choices, r.effectiveness_result), r.effectiveness_checked_on]


def record_rows(user, on: date | None):
    visible = scope.narrow(TrainingRecord.objects.all(), user).values("pk")
    if on is None:
        qs = (TrainingRecord.objects.filter(pk__in=visible).select_related("person", "competence", "trainer")
              .order_by("-trained_on", "-id"))
        return [_record_row(r, r.person.name, r.competence.code, r.trainer.display_name) for r in qs]
    from training.models import Person

    end = _end_of(on)
    recs = list(TrainingRecord.history.as_of(end).filter(id__in=visible))
    people = {p.pk: p.name for p in Person.history.as_of(end)}
    comps = {c.pk: c.code for c in Competence.history.as_of(end)}
    users = {u.pk: u.display_name for u in get_user_model().objects.filter(pk__in={r.trainer_id for r in recs})}
    recs.sort(key=lambda r: (r.trained_on, r.pk), reverse=True)
    return [_record_row(r, people.get(r.person_id, ""), comps.get(r.competence_id, ""), users.get(r.trainer_id, ""))
            for r in recs]


registers.declare(registers.Register(
    key="training.roles", title="Job roles and required competences", clause="7.2",
    rule="training.view_matrix", columns=ROLE_COLUMNS, rows=role_rows, url_name="training:roles"))
registers.declare(registers.Register(
    key="training.records", title="Training records", clause="7.2",
    rule="training.view_matrix", columns=RECORD_COLUMNS, rows=record_rows, url_name="training:records"))


# ------------------------------------------------------------------ readiness (7.2, 7.3)
def _overall(today: date) -> matrix.Counts:
    totals = matrix.Counts()
    for counts in matrix.counts_by_competence(matrix.Scope(), today).values():
        for status, n in counts.items():
            totals.by_status[status] = totals.by_status.get(status, 0) + n
    return totals


@evidence.provider
def training_evidence(today: date) -> list[evidence.Evidence]:
    roles = JobRole.objects.filter(is_active=True).count()
    if not roles:
        return []
    signed = TrainingRecord.objects.filter(status=TrainingRecord.Status.SIGNED)
    recent = signed.filter(trained_on__gte=today - timedelta(days=365)).count()
    reads = Competence.objects.filter(is_active=True, kind=Competence.Kind.READ, requirements__isnull=False).distinct().count()
    totals = _overall(today)
    url = reverse("training:matrix")
    gap_reason = (f"{totals.gaps} of {totals.required} required competences missing, expired or out of date"
                  if totals.required and totals.percent is not None and totals.percent < 80 else "")
    out = [evidence.Evidence("7.2", "Training matrix (job roles × competences)", count=roles,
                             current=bool(totals.required) and not gap_reason,
                             reason=gap_reason or ("No job role requires a competence yet" if not totals.required else ""),
                             url=url),
           evidence.Evidence("7.2", "Signed training records (last 12 months)", count=recent, current=recent > 0,
                             reason="" if recent else "No training recorded in the last 12 months",
                             url=reverse("training:records"))]
    stale = totals.get(matrix.OUT_OF_DATE)
    if not reads:
        reason = "No job role asks people to read a controlled document"
    elif stale:
        reason = f"{stale} holders have not read a significant revision yet"
    else:
        reason = ""
    out.append(evidence.Evidence("7.3", "Read-and-understood competences tied to document revisions", count=reads,
                                 current=not reason, reason=reason, url=url))
    return out


# ------------------------------------------------------------------ management review 9.3.2 d)
@review_inputs.contributes("resources")
def resources_input(period: review_inputs.Period) -> review_inputs.Contribution | None:
    totals = _overall(period.end)
    if not totals.required:
        return None
    trained = TrainingRecord.objects.filter(status=TrainingRecord.Status.SIGNED,
                                            trained_on__range=(period.start, period.end))
    not_effective = trained.filter(effectiveness_result=TrainingRecord.Effectiveness.NOT_EFFECTIVE).count()
    pending = trained.filter(effectiveness_result="").count()
    return review_inputs.Contribution(
        heading="Competence of people (ISO 9001 7.2)",
        facts=[("Required competences held", f"{totals.percent}% ({totals.ok} of {totals.required})"),
               ("Missing", totals.get(matrix.MISSING)), ("Expired", totals.get(matrix.EXPIRED)),
               ("Out of date after a document revision", totals.get(matrix.OUT_OF_DATE)),
               ("Due within 30 days", totals.get(matrix.DUE_SOON)),
               ("Trainings signed in the period", trained.count()),
               ("Effectiveness not yet evaluated", pending), ("Found not effective", not_effective)],
        note="Computed from the training matrix on the last day of the period.",
    )
