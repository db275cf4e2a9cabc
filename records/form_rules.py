"""Cross-field rules of a record form, set by the quality manager in the builder.

A rule is stored with its form version (`FormVersion.rules`) as a small dict:

- ``{"kind": "compare", "field": a, "op": "gt", "other": b}``: two dates (after,
  on or after, before, on or before) or two numbers (greater, at least, less,
  at most). Example: "Next calibration due" after "Calibration date".
- ``{"kind": "range", "field": a, "low": "0" | None, "low_field": k | None,
  "high": ..., "high_field": ...}``: a number between two bounds, each a fixed
  number or another number field of the form (a reading between the lower and
  the upper tolerance).
- ``{"kind": "required_if", "field": a, "other": b, "value": "Fail"}``: `a` must
  be filled when the choice `b` is "Fail" (or, for a checkbox `b`, ticked).

Any rule may carry its own "message". Rules are checked on the server when a
record is submitted or amended (never on a draft), through the same record form
as every other check; the error is shown next to the rule's field.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qms.errors import DomainError
from qms.forms import BootstrapForm, parse_number

KINDS = [
    ("compare", _("Compare with another field (dates or numbers)")),
    ("range", _("Number within a range")),
    ("required_if", _("Required if another field has a value")),
]
OPS = [
    ("gt", _("after / greater than")),
    ("gte", _("on or after / at least")),
    ("lt", _("before / less than")),
    ("lte", _("on or before / at most")),
]
_HOLDS = {
    "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b,
}
# The messages a record form shows, whole sentences so that a translation may order the words.
_DATE_SENTENCES = {
    "gt": _("“%(field)s” must be after “%(other)s” (%(value)s)."),
    "gte": _("“%(field)s” must be on or after “%(other)s” (%(value)s)."),
    "lt": _("“%(field)s” must be before “%(other)s” (%(value)s)."),
    "lte": _("“%(field)s” must be on or before “%(other)s” (%(value)s)."),
}
_NUMBER_SENTENCES = {
    "gt": _("“%(field)s” must be greater than “%(other)s” (%(value)s)."),
    "gte": _("“%(field)s” must be at least “%(other)s” (%(value)s)."),
    "lt": _("“%(field)s” must be less than “%(other)s” (%(value)s)."),
    "lte": _("“%(field)s” must be at most “%(other)s” (%(value)s)."),
}
COMPARABLE = ("date", "number")
CONDITION_TYPES = ("choice", "multichoice", "checkbox")


def _number(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _fmt(value) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# ------------------------------------------------------------------ checking definitions
def check_rules(definitions: list[dict], rules: list[dict]) -> list[dict]:
    """Refuse rules that name a field the form does not have, or that do not fit
    the fields' types. Returns the rules in their stored shape."""
    by_key = {d["key"]: d for d in definitions}
    out = []
    for n, rule in enumerate(rules or [], start=1):
        if not isinstance(rule, dict):
            raise DomainError(gettext("Rule %(n)s is not readable.") % {"n": n})
        out.append(_check_rule(n, rule, by_key))
    return out


def _missing(n: int, what: str, key) -> str:
    """Rule n names a field the form does not have: a whole sentence for each role the field plays."""
    texts = {
        "field": gettext("Rule %(n)s refers to a field that is not on the form (%(key)s)."),
        "second field": gettext("Rule %(n)s refers to a second field that is not on the form (%(key)s)."),
        "condition field": gettext("Rule %(n)s refers to a condition field that is not on the form (%(key)s)."),
        "low bound field": gettext("Rule %(n)s refers to a low bound field that is not on the form (%(key)s)."),
        "high bound field": gettext("Rule %(n)s refers to a high bound field that is not on the form (%(key)s)."),
    }
    return texts[what] % {"n": n, "key": key or gettext("none")}


def _field(n: int, by_key: dict, key, what: str = "field") -> dict:
    if not key or key not in by_key:
        raise DomainError(_missing(n, what, key))
    return by_key[key]


def _check_rule(n: int, rule: dict, by_key: dict) -> dict:
    kind = rule.get("kind")
    target = _field(n, by_key, rule.get("field"))
    message = str(rule.get("message") or "").strip()[:300]
    if kind == "compare":
        other = _field(n, by_key, rule.get("other"), "second field")
        if rule.get("op") not in _HOLDS:
            raise DomainError(gettext("Rule %(n)s: choose how the two fields compare.") % {"n": n})
        if target["key"] == other["key"]:
            raise DomainError(gettext("Rule %(n)s: a field cannot be compared with itself.") % {"n": n})
        if target["type"] not in COMPARABLE or target["type"] != other["type"]:
            raise DomainError(
                gettext("Rule %(n)s: “%(field)s” and “%(other)s” must both be dates or both be numbers.")
                % {"n": n, "field": target["label"], "other": other["label"]}
            )
        out = {"kind": kind, "field": target["key"], "op": rule["op"], "other": other["key"]}
    elif kind == "range":
        if target["type"] != "number":
            raise DomainError(gettext("Rule %(n)s: “%(field)s” is not a number field.") % {"n": n, "field": target["label"]})
        out = {"kind": kind, "field": target["key"]}
        for side in ("low", "high"):
            value, key = rule.get(side), rule.get(f"{side}_field")
            if value not in (None, "") and key:
                raise DomainError((gettext("Rule %(n)s: give the low bound as a number or as a field, not both.") if side == "low"
                                   else gettext("Rule %(n)s: give the high bound as a number or as a field, not both."))
                                  % {"n": n})
            if key:
                bound = _field(n, by_key, key, f"{side} bound field")
                if bound["type"] != "number" or bound["key"] == target["key"]:
                    raise DomainError((gettext("Rule %(n)s: the low bound “%(field)s” must be another number field.")
                                       if side == "low" else
                                       gettext("Rule %(n)s: the high bound “%(field)s” must be another number field."))
                                      % {"n": n, "field": bound["label"]})
                out[f"{side}_field"] = key
            elif value not in (None, ""):
                bound = parse_number(str(value))
                if bound is None:  # NaN, 1e309: not a bound any number field could be checked against
                    raise DomainError((gettext("Rule %(n)s: the low bound “%(value)s” is not a number a field can hold "
                                               "(up to 14 digits before the point and 6 after).") if side == "low" else
                                       gettext("Rule %(n)s: the high bound “%(value)s” is not a number a field can hold "
                                               "(up to 14 digits before the point and 6 after).")) % {"n": n, "value": value})
                out[side] = _fmt(bound)
        if len(out) == 2:
            raise DomainError(gettext("Rule %(n)s: give a lower bound, an upper bound or both.") % {"n": n})
        if "low" in out and "high" in out and Decimal(out["low"]) > Decimal(out["high"]):
            raise DomainError(gettext("Rule %(n)s: the lower bound is above the upper bound.") % {"n": n})
    elif kind == "required_if":
        other = _field(n, by_key, rule.get("other"), "condition field")
        if other["key"] == target["key"]:
            raise DomainError(gettext("Rule %(n)s: a field cannot depend on itself.") % {"n": n})
        if other["type"] not in CONDITION_TYPES:
            raise DomainError(gettext("Rule %(n)s: the condition “%(field)s” must be a choice or a checkbox field.") % {
                "n": n, "field": other["label"]})
        value = str(rule.get("value") or "").strip()
        if other["type"] == "checkbox":
            value = ""
        elif value not in (other.get("choices") or []):
            raise DomainError(
                gettext("Rule %(n)s: “%(value)s” is not one of the choices of “%(field)s” (%(choices)s).")
                % {"n": n, "value": value, "field": other["label"], "choices": ", ".join(other.get("choices") or [])}
            )
        out = {"kind": kind, "field": target["key"], "other": other["key"], "value": value}
    else:
        raise DomainError(gettext("Rule %(n)s: unknown kind of rule %(kind)s.") % {"n": n, "kind": repr(kind)})
    if message:
        out["message"] = message
    return out


# ------------------------------------------------------------------ evaluating
def evaluate(definitions: list[dict], rules: list[dict], cleaned: dict, *, present_files=frozenset()) -> dict:
    """Errors of `rules` against cleaned form values: {field key: [message]}.

    A rule whose values are missing (or already refused by their own field) is
    not judged: "required" and the field's own checks speak for those."""
    by_key = {d["key"]: d for d in definitions}
    errors: dict[str, list[str]] = {}
    for rule in rules or []:
        target = by_key.get(rule.get("field"))
        if target is None:
            continue
        message = _judge(rule, target, by_key, cleaned, present_files)
        if message:
            errors.setdefault(target["key"], []).append(rule.get("message") or message)
    return errors


def _judge(rule, target, by_key, cleaned, present_files) -> str | None:
    value = cleaned.get(target["key"])
    kind = rule["kind"]
    if kind == "compare":
        other = by_key.get(rule["other"])
        other_value = cleaned.get(rule["other"]) if other else None
        if value in (None, "") or other_value in (None, ""):
            return None
        if _HOLDS[rule["op"]](value, other_value):
            return None
        sentence = (_DATE_SENTENCES if target["type"] == "date" else _NUMBER_SENTENCES)[rule["op"]]
        return str(sentence) % {"field": target["label"], "other": other["label"], "value": _fmt(other_value)}
    if kind == "range":
        if value in (None, ""):
            return None
        low = _bound(rule, "low", by_key, cleaned)
        high = _bound(rule, "high", by_key, cleaned)
        if (low is None or value >= low[0]) and (high is None or value <= high[0]):
            return None
        if low and high:
            return gettext("“%(field)s” must be between %(low)s and %(high)s.") % {
                "field": target["label"], "low": low[1], "high": high[1]}
        if low:
            return gettext("“%(field)s” must be at least %(low)s.") % {"field": target["label"], "low": low[1]}
        return gettext("“%(field)s” must be at most %(high)s.") % {"field": target["label"], "high": high[1]}
    if kind == "required_if":
        other = by_key.get(rule["other"])
        if other is None or not _condition_met(other, rule.get("value", ""), cleaned.get(other["key"])):
            return None
        if _is_filled(target, value, present_files):
            return None
        if other["type"] == "checkbox":
            return gettext("“%(field)s” is required when “%(other)s” is ticked.") % {
                "field": target["label"], "other": other["label"]}
        return gettext("“%(field)s” is required when “%(other)s” is “%(value)s”.") % {
            "field": target["label"], "other": other["label"], "value": rule["value"]}
    return None


def _bound(rule, side, by_key, cleaned):
    """(value, how to say it) of one bound, or None when there is none (or it is empty)."""
    if rule.get(f"{side}_field"):
        other = by_key.get(rule[f"{side}_field"])
        value = cleaned.get(rule[f"{side}_field"]) if other else None
        if value in (None, ""):
            return None
        return value, f"{_fmt(value)} (“{other['label']}”)"
    number = _number(rule.get(side))
    return (number, _fmt(number)) if number is not None else None


def _condition_met(other: dict, expected: str, actual) -> bool:
    if other["type"] == "checkbox":
        return bool(actual)
    if other["type"] == "multichoice":
        return expected in (actual or [])
    return actual == expected


def _is_filled(target: dict, value, present_files) -> bool:
    if target["type"] == "file":
        return bool(value) or target["key"] in present_files
    if target["type"] == "checkbox":
        return bool(value)
    return value not in (None, "", [])


# ------------------------------------------------------------------ describing
def describe(definitions: list[dict], rule: dict) -> str:
    """One line for the record type page: what the rule asks, in words."""
    labels = {d["key"]: d["label"] for d in definitions}
    types = {d["key"]: d["type"] for d in definitions}
    field = labels.get(rule.get("field"), rule.get("field"))
    kind = rule.get("kind")
    if kind == "compare":
        other = labels.get(rule["other"], rule["other"])
        sentences = {
            "gt": gettext("“%(field)s” must be after “%(other)s”"),
            "gte": gettext("“%(field)s” must be on or after “%(other)s”"),
            "lt": gettext("“%(field)s” must be before “%(other)s”"),
            "lte": gettext("“%(field)s” must be on or before “%(other)s”"),
        } if types.get(rule["field"]) == "date" else {
            "gt": gettext("“%(field)s” must be greater than “%(other)s”"),
            "gte": gettext("“%(field)s” must be at least “%(other)s”"),
            "lt": gettext("“%(field)s” must be less than “%(other)s”"),
            "lte": gettext("“%(field)s” must be at most “%(other)s”"),
        }
        if rule["op"] not in sentences:
            return f"“{field}” {rule['op']} “{other}”"
        return sentences[rule["op"]] % {"field": field, "other": other}
    if kind == "range":
        def side(s):
            if rule.get(f"{s}_field"):
                return f"“{labels.get(rule[f'{s}_field'], rule[f'{s}_field'])}”"
            return rule.get(s)
        low, high = side("low"), side("high")
        if low and high:
            return gettext("“%(field)s” between %(low)s and %(high)s") % {"field": field, "low": low, "high": high}
        if low:
            return gettext("“%(field)s” at least %(low)s") % {"field": field, "low": low}
        return gettext("“%(field)s” at most %(high)s") % {"field": field, "high": high}
    if kind == "required_if":
        other = labels.get(rule["other"], rule["other"])
        if types.get(rule["other"]) == "checkbox":
            return gettext("“%(field)s” required when “%(other)s” is ticked") % {"field": field, "other": other}
        return gettext("“%(field)s” required when “%(other)s” is “%(value)s”") % {
            "field": field, "other": other, "value": rule.get("value")}
    return str(rule)


# ------------------------------------------------------------------ the builder's rule rows
class RuleForm(BootstrapForm):
    """One rule row in the builder. Fields are named by their label (as the
    quality manager sees them) and resolved to keys when the version is saved."""

    kind = forms.ChoiceField(label=_("Rule"), choices=KINDS, initial="compare")
    field = forms.CharField(label=_("This field"), max_length=120, required=False)
    op = forms.ChoiceField(label=_("must be"), choices=[("", "—")] + OPS, required=False)
    other = forms.CharField(label=_("Other field"), max_length=120, required=False,
                            help_text=_("For “compare” and “required if”"))
    value = forms.CharField(label=_("has the value"), max_length=200, required=False,
                            help_text=_("For “required if” a choice: the choice that makes it required"))
    low = forms.CharField(label=_("Lower bound"), max_length=120, required=False, help_text=_("A number or a field"))
    high = forms.CharField(label=_("Upper bound"), max_length=120, required=False, help_text=_("A number or a field"))
    message = forms.CharField(label=_("Message (optional)"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("field", "other", "low", "high"):
            self.fields[name].widget.attrs["list"] = "builder-field-names"

    def clean(self):
        data = super().clean()
        if not data.get("DELETE") and not (data.get("field") or "").strip():
            self.add_error("field", gettext("Name the field this rule checks."))
        return data


class BaseRuleFormSet(forms.BaseFormSet):
    def live_forms(self):
        initial = self.initial_form_count()
        return [f for i, f in enumerate(self.forms)
                if (i < initial or f.has_changed()) and f.cleaned_data and not f.cleaned_data.get("DELETE")]

    def resolve(self, definitions: list[dict], previous: list[dict] | None = None) -> list[dict] | None:
        """The rows as stored rules against the new `definitions`; None (with
        errors on the rows) when a row names a field the form does not have or
        does not fit. `previous` (the current version's fields) lets a rule
        follow a field renamed in the same save."""
        by_key = {d["key"]: d for d in definitions}
        by_label = {d["label"].strip().lower(): d["key"] for d in definitions}
        old_labels = {d["label"].strip().lower(): d["key"] for d in previous or [] if d["key"] in by_key}

        def key_of(form, name, text):
            text = (text or "").strip()
            if not text:
                return None
            key = text if text in by_key else by_label.get(text.lower()) or old_labels.get(text.lower())
            if key is None:
                form.add_error(name, f"There is no field called “{text}” on this form.")
            return key

        rules, ok = [], True
        for form in self.live_forms():
            d = form.cleaned_data
            errors_before = len(form.errors)
            rule = {"kind": d["kind"], "field": key_of(form, "field", d.get("field")), "message": d.get("message", "")}
            if d["kind"] == "compare":
                rule.update(op=d.get("op"), other=key_of(form, "other", d.get("other")))
            elif d["kind"] == "required_if":
                rule.update(other=key_of(form, "other", d.get("other")), value=d.get("value", ""))
            else:
                for side in ("low", "high"):
                    text = (d.get(side) or "").strip()
                    if _number(text) is not None or not text:
                        rule[side] = text
                    else:
                        rule[f"{side}_field"] = key_of(form, side, text)
            if len(form.errors) > errors_before:
                ok = False
                continue
            try:
                rules.append(check_rules(definitions, [rule])[0])
            except DomainError as exc:
                form.add_error(None, exc.message.replace("Rule 1: ", "").replace("Rule 1 ", "This rule "))
                ok = False
        return rules if ok else None


RuleFormSet = forms.formset_factory(RuleForm, formset=BaseRuleFormSet, extra=2, can_delete=True, max_num=50,
                                    validate_max=True)


def rules_as_initial(definitions: list[dict], rules: list[dict]) -> list[dict]:
    labels = {d["key"]: d["label"] for d in definitions}
    out = []
    for r in rules or []:
        row = {"kind": r.get("kind"), "field": labels.get(r.get("field"), r.get("field")),
               "op": r.get("op", ""), "other": labels.get(r.get("other"), r.get("other", "")),
               "value": r.get("value", ""), "message": r.get("message", "")}
        for side in ("low", "high"):
            row[side] = labels.get(r[f"{side}_field"]) if r.get(f"{side}_field") else r.get(side, "")
        out.append(row)
    return out
