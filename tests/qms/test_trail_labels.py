"""Issue 12: every audit-event verb recorded anywhere in the code has a human
label, registered by its app (qms.audit.register_verbs), and field values in
the trail read as they do everywhere else.

The verbs are found by reading the source (ast), not by a list kept by hand:
every `verb=` argument of a call (record_event, the apps' transition helpers,
AuditEvent rows of the demo data), with both branches of a conditional and
the values of a `verb = {...}` lookup table; f-string verbs name their
expansions below."""

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings

from documents.models import Decision
from qms.audit import Verb, _format_value, register_verbs, registered_verbs, verb_label

ROOT = Path(settings.BASE_DIR)
APPS = ("qms", "documents", "records", "audits", "auditor")
# f-string verbs: the values their placeholder takes.
EXPANSIONS = {
    "integrity.": ["changed", "missing"],  # qms.integrity Problem.kind, renditions/manual repair kinds
    "route.": list(Decision.Outcome.values),
}


def _sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


class _Found:
    def __init__(self):
        self.verbs, self.prefixes, self.unreadable = set(), set(), []

    def collect(self, value, tables: dict, where: str) -> None:
        """The verbs a `verb=` argument can be."""
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            self.verbs.add(value.value)
        elif isinstance(value, ast.IfExp):
            self.collect(value.body, tables, where)
            self.collect(value.orelse, tables, where)
        elif isinstance(value, ast.JoinedStr) and isinstance(value.values[0], ast.Constant):
            self.prefixes.add(value.values[0].value)
        elif isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name) and value.value.id in tables:
            for v in tables[value.value.id].values:
                self.collect(v, tables, where)
        elif isinstance(value, ast.Name) and value.id == "verb":
            pass  # a helper passing its own `verb` parameter on: its callers' arguments are collected
        else:
            self.unreadable.append(f"{where}: {ast.unparse(value)}")


def _verbs_in_source() -> tuple[set[str], set[str], list[str]]:
    found = _Found()
    for path in _sources():
        tree = ast.parse(path.read_text(), filename=str(path))
        tables = {  # `name = {...}` lookup tables, for `verb=name[key]`
            target.id: node.value
            for node in ast.walk(tree) if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
            for target in node.targets if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg == "verb":
                        found.collect(kw.value, tables, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found.verbs, found.prefixes, found.unreadable


def test_every_verb_recorded_in_the_code_has_a_label():
    verbs, prefixes, unreadable = _verbs_in_source()
    assert not unreadable, f"verbs this test cannot read (use a literal or a lookup table): {unreadable}"
    assert len(verbs) > 60 and "capa.analysed" in verbs and "user.roles_granted" in verbs and "record.legal_hold_off" in verbs
    assert prefixes == set(EXPANSIONS), f"f-string verbs without expansions here: {prefixes - set(EXPANSIONS)}"
    verbs |= {prefix + value for prefix, values in EXPANSIONS.items() for value in values}
    labelled = registered_verbs()
    missing = sorted(v for v in verbs if v not in labelled)
    assert not missing, f"audit verbs without a label (register them in the app's events.py): {missing}"


def test_labels_are_sentences_not_codes():
    for verb, entry in registered_verbs().items():
        assert entry.label[0].isupper(), verb
        assert "_" not in entry.label and verb not in entry.label, verb
        assert entry.note[0].isupper(), verb


def test_a_verb_cannot_be_registered_twice_with_different_labels():
    register_verbs({"capa.analysed": "Root cause analysed"})  # the same label again is fine
    with pytest.raises(ValueError, match="twice"):
        register_verbs({"capa.analysed": Verb("Analysed")})


def test_an_unknown_verb_still_reads_as_words():
    assert verb_label("gauge.out_of_tolerance") == "Gauge out of tolerance"


@pytest.mark.parametrize(
    "value, shown",
    [
        (datetime(2026, 3, 4, 9, 30, 12, 123456, tzinfo=UTC), "2026-03-04 09:30 UTC"),
        (date(2026, 3, 4), "2026-03-04"),
        (True, "Yes"),
        (False, "No"),
        ([], "—"),
        (["Sheet unsigned", "No time"], "Sheet unsigned; No time"),
        ({"instrument": "MIC-01", "sealed": True}, "Instrument: MIC-01; Sealed: Yes"),
        ("x" * 400, "x" * 300 + "…"),
    ],
)
def test_values_read_like_the_rest_of_the_qms(value, shown):
    assert _format_value(value) == shown
