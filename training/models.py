"""Competence and training (ISO 9001 7.2, 7.3).

Competence = what a job needs (a kind, an optional validity, the controlled
documents it rests on); JobRole = a set of required competences; Person = who
holds roles (not necessarily a user: many operators never log in);
TrainingRecord = the evidence that a person gained a competence, signed by the
trainer and the trainee, with its effectiveness evaluation (7.2 c).

Nothing here stores whether a person is "current": the training matrix
(training/matrix.py) computes it from the records, the validity and the
read-and-understood acknowledgements of documents/, so a significant revision
of a document takes "current" away the moment it is effective, without a copy
to keep in step.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qms.history import HistoricalRecords
from qms.models import Clause, Department, Signature


class Competence(models.Model):
    class Kind(models.TextChoices):
        READ = "read", _("Document read and understood")
        COURSE = "course", _("Course")
        ON_THE_JOB = "on_the_job", _("On-the-job sign-off")
        CERTIFICATE = "certificate", _("External certificate")

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    description = models.TextField(blank=True)
    validity_months = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("Empty: does not expire. Otherwise a whole number of months, at least 1."),
    )
    documents = models.ManyToManyField("documents.Document", blank=True, related_name="+",
                                       help_text=_("Controlled documents this competence rests on"))
    clauses = models.ManyToManyField(Clause, blank=True, related_name="+")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[documents, clauses])

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(validity_months__isnull=True) | Q(validity_months__gte=1),
                                   name="training_competence_validity_positive"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("training:competence-detail", args=[self.pk])


class JobRole(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    competences = models.ManyToManyField(Competence, through="Requirement", related_name="job_roles")
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("training:role-detail", args=[self.pk])


class Requirement(models.Model):
    """A job role needs a competence (ISO 9001 7.2 a)."""

    role = models.ForeignKey(JobRole, on_delete=models.PROTECT, related_name="requirements")
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="requirements")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["role", "competence"], name="training_requirement_unique")]
        indexes = [models.Index(fields=["competence", "role"], name="training_req_comp_role_idx")]

    def __str__(self):
        return f"{self.role.code} needs {self.competence.code}"


class Person(models.Model):
    """Someone whose competence matters; `user` only if they log in."""

    name = models.CharField(max_length=150)
    employee_number = models.CharField(max_length=30, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="person")
    job_roles = models.ManyToManyField(JobRole, through="Assignment", related_name="people")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural=_("people")
        indexes = [models.Index(fields=["department", "name"], name="training_person_dept_name_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("training:person-detail", args=[self.pk])


class Assignment(models.Model):
    """A person holds a job role."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assignments")
    role = models.ForeignKey(JobRole, on_delete=models.PROTECT, related_name="assignments")
    assigned_on = models.DateField()
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "role"], name="training_assignment_unique")]
        indexes = [models.Index(fields=["role", "person"], name="training_assign_role_idx")]

    def __str__(self):
        return f"{self.person} as {self.role.code}"


class TrainingRecord(models.Model):
    """Evidence of one training (ISO 9001 7.2 b, c, d). Locked once both have signed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Awaiting signatures")
        SIGNED = "signed", _("Signed")
        VOID = "void", _("Void")

    class Method(models.TextChoices):
        CLASSROOM = "classroom", _("Classroom")
        ON_THE_JOB = "on_the_job", _("On the job")
        E_LEARNING = "e_learning", _("E-learning")
        EXTERNAL = "external", _("External course")
        SELF_STUDY = "self_study", _("Reading / self-study")
        CERTIFICATE = "certificate", _("Certificate checked")

    class Result(models.TextChoices):
        COMPETENT = "competent", _("Competent")
        NOT_YET = "not_yet", _("Not yet competent")

    class Effectiveness(models.TextChoices):
        PENDING = "", _("Not evaluated yet")
        EFFECTIVE = "effective", _("Effective")
        NOT_EFFECTIVE = "not_effective", _("Not effective")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="training_records")
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="training_records")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    trained_on = models.DateField()
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(_("training provider"), max_length=150, blank=True,
                                help_text=_("External provider or certification body, if any"))
    method = models.CharField(max_length=12, choices=Method.choices)
    result = models.CharField(max_length=10, choices=Result.choices)
    notes = models.TextField(blank=True)
    # 7.2 c: how and when the effectiveness of the action is evaluated, and its outcome.
    effectiveness_method = models.TextField(help_text=_("How the effectiveness will be checked"))
    effectiveness_due = models.DateField(null=True, blank=True)
    effectiveness_result = models.CharField(max_length=14, choices=Effectiveness.choices, blank=True, default="")
    effectiveness_checked_on = models.DateField(null=True, blank=True)
    effectiveness_checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                                 on_delete=models.PROTECT, related_name="+")
    effectiveness_note = models.TextField(blank=True)
    trainer_signature = models.OneToOneField(Signature, null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="+")
    trainee_signature = models.OneToOneField(Signature, null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="+")
    effectiveness_signature = models.OneToOneField(Signature, null=True, blank=True, on_delete=models.PROTECT,
                                                   related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-trained_on", "-id"]
        indexes = [
            models.Index(fields=["person", "competence", "trained_on"], name="training_rec_pair_idx"),
            models.Index(fields=["competence", "person"], name="training_rec_comp_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status="draft") | Q(status="void") | Q(trainer_signature__isnull=False),
                                   name="training_record_signed_needs_trainer"),
            models.CheckConstraint(condition=~Q(status="void") | ~Q(void_reason=""),
                                   name="training_record_void_needs_reason"),
        ]

    def __str__(self):
        return f"{self.number} {self.person} – {self.competence.code}"

    def get_absolute_url(self):
        return reverse("training:record-detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"TR-{self.pk:05d}" if self.pk else "TR-new"

    @property
    def trainee_can_sign(self) -> bool:
        """A person without a login signs on paper (attached as evidence): the trainer's signature completes it."""
        return self.person.user_id is not None

    def signature_content(self) -> dict:
        """What the trainer and the trainee sign: a change to any of these invalidates their signatures."""
        return {
            "record": self.pk,
            "person": self.person_id,
            "competence": self.competence_id,
            "trained_on": self.trained_on,
            "trainer": self.trainer_id,
            "provider": self.provider,
            "method": self.method,
            "result": self.result,
            "notes": self.notes,
            "effectiveness_method": self.effectiveness_method,
        }


class TrainingEvidence(models.Model):
    """A file proving the training (attendance list, certificate, test): only ever added."""

    record = models.ForeignKey(TrainingRecord, on_delete=models.PROTECT, related_name="evidence")
    file = models.CharField(max_length=255, help_text=_("Storage name (random)"))
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=120)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["record", "uploaded_at", "id"]
        verbose_name_plural=_("training evidence")

    def __str__(self):
        return self.original_name


class RecordTypeQualification(models.Model):
    """Who may do this? Only a person current on `competence` may submit records of `record_type`."""

    record_type = models.ForeignKey("records.RecordType", on_delete=models.PROTECT, related_name="+")
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="record_types")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record_type", "competence"],
                                               name="training_recordtypequalification_unique")]

    def __str__(self):
        return f"{self.record_type} needs {self.competence.code}"
