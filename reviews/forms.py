"""Input checks for customer feedback, surveys and management reviews (the services decide the rest)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audits.models import Capa
from qms.forms import BootstrapForm, StrictDecimalField, UserChoice, UsersChoice
from qms.models import Process, User
from reviews.models import Complaint, Decision

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


def active_users():
    return User.objects.filter(is_active=True).only("id", "username", "full_name", "first_name", "last_name").order_by(
        "full_name", "username")


def _not_future(value, message=None):
    if value and value > timezone.localdate():
        raise forms.ValidationError(message or gettext("The date is in the future."))
    return value


# ------------------------------------------------------------------ customer feedback
class ComplaintForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Complaint.Kind.choices, initial=Complaint.Kind.COMPLAINT)
    customer = forms.CharField(label=_("Customer"), max_length=200)
    contact = forms.CharField(label=_("Customer contact"), max_length=200, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=Complaint.Channel.choices)
    received_on = forms.DateField(label=_("Received"), widget=DATE)
    reference = forms.CharField(label=_("Product or order reference"), max_length=120, required=False)
    description = forms.CharField(label=_("Description"), widget=TEXT)
    category = forms.ChoiceField(label=_("Category"), choices=Complaint.Category.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Complaint.Severity.choices, initial=Complaint.Severity.MEDIUM)
    owner = UserChoice(label=_("Owner"), queryset=User.objects.none())
    process = forms.ModelChoiceField(label=_("Process"), queryset=Process.objects.only("code", "name"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_users()

    def clean_received_on(self):
        return _not_future(self.cleaned_data.get("received_on"), gettext("The received date is in the future."))

    def clean_customer(self):
        value = self.cleaned_data["customer"].strip()
        if not value:
            raise forms.ValidationError(gettext("Name the customer."))
        return value


class AcknowledgeForm(BootstrapForm):
    acknowledged_on = forms.DateField(label=_("Acknowledged"), widget=DATE)

    def __init__(self, *args, complaint: Complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.complaint = complaint

    def clean_acknowledged_on(self):
        value = _not_future(self.cleaned_data.get("acknowledged_on"))
        if value and value < self.complaint.received_on:
            raise forms.ValidationError(
                gettext("The acknowledgement is before the feedback was received (%(date)s).")
                % {"date": f"{self.complaint.received_on:%Y-%m-%d}"})
        return value


class RespondForm(BootstrapForm):
    responded_on = forms.DateField(label=_("Responded"), widget=DATE)
    response = forms.CharField(label=_("What the customer was told"), widget=TEXT)

    def __init__(self, *args, complaint: Complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.complaint = complaint

    def clean_responded_on(self):
        value = _not_future(self.cleaned_data.get("responded_on"))
        c = self.complaint
        if value and value < c.received_on:
            raise forms.ValidationError(gettext("The response is before the feedback was received (%(date)s).")
                                        % {"date": f"{c.received_on:%Y-%m-%d}"})
        if value and c.acknowledged_on and value < c.acknowledged_on:
            raise forms.ValidationError(gettext("The response is before the acknowledgement (%(date)s).")
                                        % {"date": f"{c.acknowledged_on:%Y-%m-%d}"})
        return value


class CloseForm(BootstrapForm):
    resolution = forms.CharField(label=_("Resolution"), widget=TEXT)


class ComplaintCapaForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=TEXT)
    severity = forms.ChoiceField(label=_("Severity"), choices=Capa.Severity.choices)
    owner = UserChoice(label=_("Owner"), queryset=User.objects.none())
    due_date = forms.DateField(label=_("Due date"), widget=DATE, required=False, help_text=_("Empty: the usual time for its severity."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_users()

    def clean_due_date(self):
        value = self.cleaned_data.get("due_date")
        if value and value < timezone.localdate():
            raise forms.ValidationError(gettext("The due date is in the past."))
        return value


class ComplaintFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any"))] + list(Complaint.Kind.choices))
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[("", _("Any"))] + list(Complaint.Category.choices))
    severity = forms.ChoiceField(label=_("Severity"), required=False, choices=[("", _("Any"))] + list(Complaint.Severity.choices))
    owner = UserChoice(label=_("Owner"), queryset=User.objects.none(), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("Until"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any")), ("not_closed", _("Not closed"))] + list(Complaint.Status.choices)
        self.fields["owner"].queryset = active_users()


# ------------------------------------------------------------------ satisfaction surveys
class SurveyForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    method = forms.CharField(label=_("Method"), max_length=200, required=False)
    period_start = forms.DateField(label=_("Period from"), widget=DATE)
    period_end = forms.DateField(label=_("Period to"), widget=DATE)
    score = StrictDecimalField(label=_("Score"), max_digits=6, decimal_places=2, min_value=0)
    scale_max = forms.TypedChoiceField(label=_("Scale"), coerce=int, choices=[(5, "1–5"), (10, "0–10"), (100, "0–100 %")],
                                       initial=100)
    respondents = forms.IntegerField(label=_("Respondents"), min_value=1, max_value=10_000_000)
    comments = forms.CharField(label=_("Comments"), widget=TEXT, required=False)

    def clean_period_end(self):
        value = self.cleaned_data.get("period_end")
        if value and value > timezone.localdate():
            raise forms.ValidationError(gettext("The period has not ended yet: enter its result when it has."))
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        score, scale = data.get("score"), data.get("scale_max")
        if score is not None and scale and score > scale:
            self.add_error("score", gettext("The score is above the scale maximum (%(scale)s).") % {"scale": scale})
        return data


# ------------------------------------------------------------------ management review
class ReviewForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=200, initial=_("Management review"))
    meeting_date = forms.DateField(label=_("Meeting date"), widget=DATE)
    chair = UserChoice(label=_("Chair"), queryset=User.objects.none(), help_text=_("Top management: the chair signs the minutes."))
    attendees = UsersChoice(label=_("Attendees"), queryset=User.objects.none(), required=False,
                            widget=forms.SelectMultiple(attrs={"size": 6}))
    period_start = forms.DateField(label=_("Period covered from"), widget=DATE)
    period_end = forms.DateField(label=_("Period covered to"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = active_users()
        self.fields["attendees"].queryset = active_users()

    def clean(self):
        data = super().clean()
        start, end, meeting = data.get("period_start"), data.get("period_end"), data.get("meeting_date")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        elif end and meeting and end > meeting:
            self.add_error("period_end", _("The period covered ends after the meeting."))
        return data


class ConclusionsForm(BootstrapForm):
    conclusions = forms.CharField(label=_("Conclusions on the QMS"), widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("Is the QMS still suitable, adequate and effective (9.3.1)?"))


class DecisionForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Decision.Kind.choices)
    text = forms.CharField(label=_("Decision"), widget=TEXT)
    action_description = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                         help_text=_("Leave empty when the decision needs no tracked action."))
    action_owner = UserChoice(label=_("Action owner"), queryset=User.objects.none(), required=False)
    action_due_date = forms.DateField(label=_("Action due"), widget=DATE, required=False)

    def __init__(self, *args, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review
        self.fields["action_owner"].queryset = active_users()

    def clean(self):
        data = super().clean()
        action, owner, due = data.get("action_description", "").strip(), data.get("action_owner"), data.get(
            "action_due_date")
        if action or owner or due:
            if not action:
                self.add_error("action_description", _("Say what the action is."))
            if owner is None and "action_owner" not in self.errors:
                self.add_error("action_owner", _("An action needs an owner."))
            if due is None and "action_due_date" not in self.errors:
                self.add_error("action_due_date", _("An action needs a due date."))
            if due and self.review is not None and due < self.review.meeting_date:
                self.add_error("action_due_date",
                               gettext("The action is due before the meeting (%(date)s).")
                               % {"date": f"{self.review.meeting_date:%Y-%m-%d}"})
        return data


class CompleteActionForm(BootstrapForm):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}))
