"""An import's report is read in the reader's language (issue 20, qms/stored_text.py):
its problems, warnings, actions and file-level errors are kept in English (the
record of the migration: JSON and CSV downloads) and as msgid + params beside
them; the page translates them, whoever ran the dry run in whatever language.
A report from before (English only) still shows; a failed run's error too."""

from __future__ import annotations

import pytest

from intake import selectors
from intake.models import ImportRun
from intake.services import create_run, execute_run
from qms.errors import DomainError
from qms.models import Department
from tests.intake.files import csv_bytes, docx_bytes, row, standard_set, zip_of
from tests.intake.test_records_people_import import _rec, _records_run
from tests.records.factories import make_type

pytestmark = pytest.mark.django_db


def _speaking(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


def _documents_run(qm, rows, files):
    return create_run(actor=qm, kind="documents", register_name="register.csv", register_data=csv_bytes(rows),
                      files_name="files.zip", files_data=zip_of(files))


def test_a_dry_runs_problems_are_shown_in_each_readers_language(quality_manager, qa, client_for):
    c = client_for(_speaking(quality_manager, "de"))  # the dry run runs in German...
    run = _documents_run(quality_manager, [row(dept="ZZ", effective="31/31/2020"), row(number="SOP-QA-008",
                                                                                        approver="")],
                         {"sop7-00.docx": docx_bytes("x")})
    problems = [p for r in run.report["rows"] for p in r["problems"]]
    # ...and stores English: the report is the record of the migration.
    assert "Unknown department “ZZ”." in problems
    assert "Effective date “31/31/2020” is not a date (use YYYY-MM-DD or DD.MM.YYYY)." in problems
    assert any(r.get("problems_i18n") for r in run.report["rows"])
    csv_text = "".join("|".join(map(str, r)) for r in selectors.report_csv_rows(run))
    assert "Unknown department “ZZ”." in csv_text

    german = c.get(run.get_absolute_url()).content.decode()
    assert "Unbekannte Abteilung „ZZ“." in german
    assert "Gültig ab „31/31/2020“ ist kein Datum (verwenden Sie JJJJ-MM-TT oder TT.MM.JJJJ)." in german
    assert "Keine freigebende Person genannt" in german  # a remark (warning) of the second row
    assert "Unknown department" not in german

    _speaking(quality_manager, "fr")
    french = c.get(run.get_absolute_url()).content.decode()
    assert "Service inconnu « ZZ »." in french


def test_what_a_clean_dry_run_will_do_is_said_in_the_readers_language(quality_manager, qa, client_for):
    rows, files = standard_set()
    run = _documents_run(quality_manager, rows, files)
    assert run.error_count == 0
    page = client_for(_speaking(quality_manager, "es")).get(run.get_absolute_url()).content.decode()
    assert "crear el documento SOP-QA-007, revisión 00" in page


def test_record_form_messages_in_import_problems_are_translated_too(quality_manager, client_for):
    rt = make_type("CAL")
    _speaking(quality_manager, "de")
    run = _records_run(quality_manager, rt, [_rec(Deviation="9"), _rec(**{"Instrument ID": ""})])
    problems = [p for r in run.report["rows"] for p in r["problems"]]
    assert "“Deviation”: Ensure this value is less than or equal to 5." in problems  # English, not the QM's German
    assert "“Instrument ID”: This field is required." in problems
    page = client_for(quality_manager).get(run.get_absolute_url()).content.decode()
    assert "„Deviation“: Dieser Wert muss kleiner oder gleich 5 sein." in page
    assert "„Instrument ID“: Dieses Feld ist zwingend erforderlich." in page


def test_a_failed_runs_error_is_shown_in_the_readers_language(quality_manager, qa, client_for):
    rows, files = standard_set()
    run = _documents_run(quality_manager, rows, files)
    assert run.status == ImportRun.Status.CHECKED
    Department.objects.filter(pk=qa.pk).update(code="QX", name="Renamed since the dry run")
    with pytest.raises(DomainError):
        execute_run(run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.error.startswith("The files now have 4 problem(s)") and run.error_i18n["params"] == {"count": 4}
    page = client_for(_speaking(quality_manager, "de")).get(run.get_absolute_url()).content.decode()
    assert "Die Dateien haben jetzt 4 Problem(e)" in page and "The files now have" not in page


def test_a_report_from_before_stored_texts_still_shows_in_english(quality_manager, qa, client_for):
    run = _documents_run(quality_manager, [row(dept="ZZ")], {"sop7-00.docx": docx_bytes("x")})
    old = run.report
    old["rows"] = [{k: v for k, v in r.items() if not k.endswith("_i18n")} for r in old["rows"]]
    old["errors"], old["notices"] = ["An old file-level problem."], ["An old notice."]
    old = {k: v for k, v in old.items() if not k.endswith("_i18n")}
    ImportRun.objects.filter(pk=run.pk).update(report=old, error="An old English error.")
    page = client_for(_speaking(quality_manager, "de")).get(run.get_absolute_url()).content.decode()
    for text in ("Unknown department “ZZ”.", "An old file-level problem.", "An old notice.", "An old English error."):
        assert text in page


@pytest.mark.parametrize("bad", ["not a list", [{"msgid": 5}], [None], [{"msgid": "%(x)s"}, "one too many"]])
def test_a_malformed_stored_report_shows_its_english_and_never_a_500(quality_manager, qa, client_for, bad):
    run = _documents_run(quality_manager, [row(dept="ZZ")], {"sop7-00.docx": docx_bytes("x")})
    report = run.report
    for r in report["rows"]:
        r["problems_i18n"] = bad
        r["action_i18n"] = {"msgid": ["not", "a", "string"]}
    report["errors"], report["errors_i18n"] = ["File-level problem."], bad
    ImportRun.objects.filter(pk=run.pk).update(report=report, error="English error.", error_i18n={"params": 3})
    page = client_for(_speaking(quality_manager, "de")).get(run.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "Unknown department “ZZ”." in body and "File-level problem." in body and "English error." in body
