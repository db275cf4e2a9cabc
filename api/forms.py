from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qms.forms import BootstrapForm, WindowDateField


class TokenForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the token is for, e.g. “ERP nonconformity import”."))
    expires_on = WindowDateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("Required; at most one year ahead (an external auditor: the end of the "
                                             "access window)."))
    read_only = forms.BooleanField(required=False, label=_("Read-only (cannot change anything)"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("expires_on", timezone.localdate() + timedelta(days=90))
        if user is not None and self._auditor_only(user):
            self.fields["read_only"].initial = True
            self.fields["read_only"].disabled = True
            self.fields["read_only"].help_text = _("External auditors' tokens are always read-only.")

    @staticmethod
    def _auditor_only(user) -> bool:
        from qms.rules import allowed

        return not allowed("api.create_write_token", user)

    def expires_at(self):
        """The end of the chosen day, UTC."""
        day = self.cleaned_data["expires_on"]
        return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 23, 59, 59),
                                   timezone.get_default_timezone())


class WebhookForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What receives the events, e.g. “ERP integration”."))
    url = forms.CharField(label="URL", max_length=500, help_text=_("https:// only; it must be reachable from the "
                                                                      "internet (no private addresses)."))
    events = forms.MultipleChoiceField(label=_("Events"), widget=forms.CheckboxSelectMultiple,
                                       help_text=_("The kinds of event sent to this URL."))

    def __init__(self, *args, **kwargs):
        from api.webhooks import catalogue

        super().__init__(*args, **kwargs)
        self.fields["events"].choices = [(verb, f"{label} ({verb})") for verb, label in catalogue().items()]
