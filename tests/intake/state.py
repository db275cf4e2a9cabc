"""Imports in the state walk (tests/qms/test_state_walk.py, loaded through
tests/qms/finished_world.py STATE_APPS).

An import that has run is finished: it may be neither started again (that
would import the same rows twice) nor mapped again (its records exist).

    import_people    a people import, run to the end
    import_records   a records import, run to the end (the route with a column mapping)

One step earlier (the control) each is only dry-run checked: starting it
queues the run, correcting its mapping runs the dry run again.
"""

from __future__ import annotations

from intake import services
from intake.models import ImportRun
from tests.intake.files import csv_bytes, zip_of
from tests.pdf_helpers import blank_pdf
from tests.records.factories import make_type

HEADERS = ["Instrument ID", "Deviation", "Calibration date", "Result", "Checks", "Sealed", "Operator",
           "Certificate", "Submitted on", "Submitted by"]
ROW = ["MIC-01", "1,5", "01.03.2024", "Pass", "Visual; Zero", "yes", "", "cert1.pdf", "2024-03-02", "Hans Alt"]
# Every column to its field but the operator (auto-mapping maps it): a mapping that differs from the stored one.
MAPPING = {f"col{i}": key for i, key in enumerate(["instrument", "deviation", "cal_date", "result", "checks", "sealed",
                                                    "", "certificate", "_submitted_at", "_submitted_by"])}


def _people(w, username):
    return services.create_run(
        actor=w["qm"], kind="people", register_name="people.csv",
        register_data=f"username,full name,email,department,roles,login\n{username},Walk Person,"
                      f"{username}@example.com,,,none\n".encode())


def _records(w, code):
    return services.create_run(actor=w["qm"], kind="records", register_name="cal.csv",
                               register_data=csv_bytes([ROW], HEADERS), record_type=make_type(code),
                               files_name="evidence.zip", files_data=zip_of({"cert1.pdf": blank_pdf()}))


def _run_to_the_end(w, run):
    services.start_run(actor=w["qm"], run=run)
    services.execute_run(ImportRun.objects.get(pk=run.pk))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE, (run.status, run.error, run.report.get("errors"))
    return run


def build_finished(w) -> None:
    w["import_people"] = _run_to_the_end(w, _people(w, "walk.imported"))
    w["import_records"] = _run_to_the_end(w, _records(w, "IMPW"))


def finished_objects(w) -> dict:
    return {k: w[k] for k in ("import_people", "import_records")}


def build_earlier(w) -> None:
    w["import_checked"] = _people(w, "walk.checked")
    w["import_mappable"] = _records(w, "IMPE")
    assert w["import_checked"].can_run and w["import_mappable"].status == ImportRun.Status.CHECKED


def targets(route, w):
    n = route.name
    if not n.startswith("intake:"):
        return None
    if n == "intake:start":
        return [(k, {"pk": w[k].pk}) for k in ("import_people", "import_records")]
    if n == "intake:mapping":
        return [("import_records", {"pk": w["import_records"].pk})]  # only a records import has a mapping
    return []  # the run's page and its reports (GET only), and the routes without arguments


ACTORS = {"import": lambda w: []}  # an import is the quality manager's alone

PAYLOADS = {
    "intake:start": lambda w, o, a: [{}],
    "intake:mapping": lambda w, o, a: [dict(MAPPING)],
}

CONTROL = {
    "intake:start": [("import_checked", "qm", None)],
    "intake:mapping": [("import_mappable", "qm", None)],
}
