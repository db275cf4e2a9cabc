"""Record import (rows → submitted records, validated by the record form) and people import."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from intake import records_import, selectors
from intake.management.commands._common import print_report
from intake.models import ImportRun
from intake.services import create_run, execute_run, set_mapping
from qms.models import AuditEvent, User
from records.models import Record
from tests.intake.files import csv_bytes, xlsx_bytes, zip_of
from tests.pdf_helpers import blank_pdf
from tests.records.factories import make_type

pytestmark = pytest.mark.django_db

REC_HEADERS = ["Instrument ID", "Deviation", "Calibration date", "Result", "Checks", "Sealed", "Operator",
               "Certificate", "Submitted on", "Submitted by", "Unrelated"]


def _rec(**over):
    base = {"Instrument ID": "MIC-01", "Deviation": "1,5", "Calibration date": "01.03.2024", "Result": "Pass",
            "Checks": "Visual; Zero", "Sealed": "yes", "Operator": "", "Certificate": "cert1.pdf",
            "Submitted on": "2024-03-02", "Submitted by": "Hans Alt", "Unrelated": "x"}
    base.update(over)
    return [base[h] for h in REC_HEADERS]


def _records_run(qm, rt, rows, *, files=None, xlsx=False):
    data = xlsx_bytes(rows, REC_HEADERS) if xlsx else csv_bytes(rows, REC_HEADERS)
    return create_run(actor=qm, kind="records", register_name="cal.xlsx" if xlsx else "cal.csv",
                      register_data=data, record_type=rt, files_name="evidence.zip",
                      files_data=zip_of(files if files is not None else {"cert1.pdf": blank_pdf()}))


def _problems(run):
    return [p for r in run.report["rows"] for p in r.get("problems", [])] + run.report["errors"]


def test_columns_are_matched_by_label_and_rows_become_locked_records(quality_manager, staff):
    rt = make_type("CAL")
    run = _records_run(quality_manager, rt, [_rec(Operator="staff"), _rec(**{"Instrument ID": "MIC-02",
                                                                          "Certificate": ""})])
    assert run.mapping["Instrument ID"] == "instrument" and run.mapping["Submitted by"] == "_submitted_by"
    assert run.mapping["Certificate"] == "certificate" and "Unrelated" not in run.mapping
    assert run.error_count == 0, _problems(run)
    assert not Record.objects.exists()
    execute_run(run)
    recs = list(Record.objects.order_by("number"))
    assert len(recs) == 2 and all(r.status == "submitted" and r.is_locked for r in recs)
    first = recs[0]
    assert first.number == "CAL-2024-00001" and first.submitted_at.date().isoformat() == "2024-03-02"
    assert first.submitted_by == quality_manager and first.created_by == quality_manager
    assert first.values["deviation"] == "1.5" and first.values["cal_date"] == "2024-03-01"
    assert first.values["checks"] == ["Visual", "Zero"] and first.values["sealed"] is True
    assert first.values["operator"] == staff.pk
    assert first.evidence.get().field_key == "certificate"
    assert first.retain_until.isoformat() == "2034-03-02"
    event = AuditEvent.objects.get(verb="record.imported", object_id=str(first.pk))
    assert event.actor == quality_manager and event.data["imported_submitter"] == "Hans Alt"
    assert "originally submitted by Hans Alt on 2024-03-02" in event.comment
    assert first.history.first().history_user == quality_manager
    # the same file again creates nothing
    again = _records_run(quality_manager, rt, [_rec(Operator="staff"), _rec(**{"Instrument ID": "MIC-02",
                                                                            "Certificate": ""})])
    assert {r["action"] for r in again.report["rows"]} == {"skip"}
    execute_run(again)
    assert Record.objects.count() == 2


@pytest.mark.parametrize(("change", "expected"), [
    ({"Deviation": "9"}, "“Deviation”: Ensure this value is less than or equal to 5"),
    ({"Result": "Maybe"}, "“Result”: Select a valid choice"),
    ({"Instrument ID": ""}, "“Instrument ID”: This field is required"),
    ({"Calibration date": "yesterday"}, "“Calibration date”:"),
    ({"Sealed": "perhaps"}, "“Sealed”:"),
    ({"Operator": "ghost"}, "no active user “ghost”"),
    ({"Certificate": "nope.pdf"}, "Evidence file “nope.pdf” is not in the ZIP file"),
    ({"Submitted on": "2999-01-01"}, "is in the future"),
    ({"Instrument ID": "=cmd|' /C calc'!A0"}, "would run as a formula"),
])
def test_each_bad_record_row_is_refused_exactly_as_the_form_would(quality_manager, change, expected):
    rt = make_type("CAL")
    run = _records_run(quality_manager, rt, [_rec(**change)], xlsx=True)
    assert run.status == ImportRun.Status.BLOCKED
    assert any(expected in p for p in _problems(run)), _problems(run)
    assert not Record.objects.exists()


def test_the_mapping_can_be_corrected(quality_manager, client_for):
    rt = make_type("CAL")
    run = _records_run(quality_manager, rt, [_rec()])
    run = set_mapping(actor=quality_manager, run=run, mapping={"Instrument ID": "instrument"})
    assert run.status == ImportRun.Status.BLOCKED  # deviation, date, result now missing
    assert any("“Deviation”: This field is required" in p for p in _problems(run))
    c = client_for(quality_manager)
    page = c.get(f"/intake/{run.pk}/mapping/")
    assert page.status_code == 200 and "Original submitter (name)" in page.content.decode()
    post = {f"col{i}": k for i, k in enumerate(["instrument", "deviation", "cal_date", "result", "checks", "sealed",
                                                  "operator", "certificate", "_submitted_at", "_submitted_by", ""])}
    assert c.post(f"/intake/{run.pk}/mapping/", post).status_code == 302
    run.refresh_from_db()
    assert run.error_count == 0
    dup = dict(post, col1="instrument")
    assert "Already chosen" in c.post(f"/intake/{run.pk}/mapping/", dup).content.decode()


def test_record_import_command(quality_manager, tmp_path, capsys):
    make_type("CAL")
    (tmp_path / "cal.csv").write_bytes(csv_bytes([_rec(Certificate="")], REC_HEADERS))
    call_command("import_records", "CAL", str(tmp_path / "cal.csv"), "--dry-run", "--as", "qm")
    assert "Dry run" in capsys.readouterr().out and not Record.objects.exists()
    call_command("import_records", "CAL", str(tmp_path / "cal.csv"), "--as", "qm")
    assert Record.objects.count() == 1


def _speaking(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


def _printed(run) -> str:
    out = io.StringIO()
    print_report(SimpleNamespace(stdout=SimpleNamespace(write=lambda line: out.write(line + "\n"))), run)
    return out.getvalue()


def test_a_records_report_is_compact_and_still_says_what_happens_to_each_row(quality_manager, client_for):
    """Issue 19: a clean row keeps its number, action and submission only (no empty lists, no action_i18n
    per row); the page (in the reader's language), the CSV export and the command say what they said."""
    rt = make_type("CAL")
    run = _records_run(quality_manager, rt, [_rec(Certificate=""), _rec(Certificate=""),
                                             _rec(Certificate="", Deviation="9")])
    rows = run.report["rows"]
    assert rows[0] == {"row": 2, "action": "create", "submitted_by": "Hans Alt", "submitted_at": "2024-03-02"}
    assert rows[1]["action"] == "skip" and rows[1]["warnings"] == ["The same values as row 2: imported once."]
    assert rows[1]["warnings_i18n"][0]["params"] == {"row": 2} and "problems" not in rows[1]
    assert rows[2]["action"] == "" and rows[2]["problems_i18n"] and "warnings" not in rows[2]

    page = client_for(_speaking(quality_manager, "de")).get(run.get_absolute_url()).content.decode()
    table = page.split('id="report"', 1)[1]
    assert table.count("Hans Alt 2024-03-02") == 3 and "anlegen" in table and "nichts (bereits importiert)" in table
    assert "Dieser Wert muss kleiner oder gleich 5 sein." in table and "Dieselben Werte wie Zeile 2" in table

    assert [(r[0], r[6], r[7][:40], r[8]) for r in selectors.report_csv_rows(run)] == [
        (2, "create", "", ""), (3, "skip", "", "The same values as row 2: imported once."),
        (4, "", "“Deviation”: Ensure this value is less t", "")]
    assert "\n3,,,,,,skip,," in client_for(quality_manager).get(f"/intake/{run.pk}/report.csv").content.decode()
    printed = _printed(run)
    assert "row 2:  — create\n" in printed and "row 3:  — skip\n    note: The same values as row 2" in printed
    assert "row 4:  — PROBLEM\n    problem: “Deviation”: Ensure" in printed


def test_a_records_report_from_before_the_compact_form_still_shows(quality_manager, client_for):
    rt = make_type("CAL")
    run = _records_run(quality_manager, rt, [_rec(Certificate="")])
    old_row = {"row": 2, "action": "create", "action_i18n": {"msgid": "create", "context": "import action", "params": {}},
               "problems": [], "problems_i18n": [], "warnings": [], "warnings_i18n": [], "submitted_by": "Hans Alt",
               "submitted_at": "2024-03-02"}
    ImportRun.objects.filter(pk=run.pk).update(report=dict(run.report, rows=[old_row]))
    run.refresh_from_db()
    table = client_for(_speaking(quality_manager, "de")).get(run.get_absolute_url()).content.decode()
    assert "Hans Alt 2024-03-02" in table.split('id="report"', 1)[1] and "anlegen" in table.split('id="report"', 1)[1]
    assert list(selectors.report_csv_rows(run)) == [[2, "", "", "", "", "", "create", "", ""]]
    assert "row 2:  — create\n" in _printed(run)


def test_with_debug_on_a_runs_query_log_is_let_go_batch_by_batch(quality_manager, settings, monkeypatch):
    """DEBUG keeps each query's SQL; a batch's INSERTs are megabytes (issue 19: 110 MB over 100,000 records)."""
    rt = make_type("CAL")
    run = _records_run(quality_manager, rt, [_rec(Certificate="", **{"Instrument ID": f"MIC-{i}"}) for i in range(3)])
    monkeypatch.setattr(records_import, "BATCH", 1)
    settings.DEBUG = True
    execute_run(run)
    assert Record.objects.count() == 3
    logged = " ".join(q["sql"] for q in connection.queries)
    assert "intake_importrun" in logged and "row 2)" not in logged and "row 4)" not in logged


PEOPLE = ["Username", "E-mail", "Full name", "Department", "Roles", "Job title", "Login method"]


def test_people_are_created_with_roles_and_invited_to_set_a_password(quality_manager, qa,
                                                                     django_capture_on_commit_callbacks):
    data = csv_bytes([["mmeyer", "m.meyer@example.com", "Maria Meyer", "QA", "Staff; Author", "Inspector", ""],
                      ["ldapuser", "l@example.com", "Lars Dir", "QA", "Staff", "", "ldap"],
                      ["shopfloor", "", "Sepp Floor", "", "Staff", "", "none"]], PEOPLE)
    run = create_run(actor=quality_manager, kind="people", register_name="people.csv", register_data=data)
    assert run.error_count == 0, _problems(run)
    assert not User.objects.filter(username="mmeyer").exists()
    with django_capture_on_commit_callbacks(execute=True):  # the invitations go once the import commits
        execute_run(run)
    maria = User.objects.get(username="mmeyer")
    assert maria.department == qa and {g.name for g in maria.groups.all()} == {"Staff", "Author"}
    assert not maria.has_usable_password() and maria.job_title == "Inspector"
    assert User.objects.get(username="ldapuser").security.source == "ldap"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["m.meyer@example.com"]
    link = next(w for w in mail.outbox[0].body.split() if "/accounts/reset/" in w)
    path = link.split("://", 1)[1].split("/", 1)[1]
    from django.test import Client

    c = Client()
    r = c.get("/" + path, follow=True)
    assert r.status_code == 200 and b"password" in r.content.lower()
    again = create_run(actor=quality_manager, kind="people", register_name="people.csv", register_data=data)
    assert {r["action"] for r in again.report["rows"]} == {"skip"}


@pytest.mark.parametrize(("cells", "expected"), [
    (["x y", "a@example.com", "", "", "", "", ""], "Username “x y”"),
    (["ok1", "not-mail", "", "", "", "", ""], "is not an e-mail address"),
    (["ok2", "", "", "", "", "", ""], "needs an e-mail address"),
    (["ok3", "o@example.com", "", "ZZ", "", "", ""], "Unknown department “ZZ”"),
    (["ok4", "o@example.com", "", "", "Boss", "", ""], "Unknown role “Boss”"),
    (["ok5", "o@example.com", "", "", "", "", "kerberos"], "Login “kerberos”"),
    (["ok6", "o@example.com", "=1+1", "", "", "", ""], "would run as a formula"),
])
def test_bad_people_rows(quality_manager, cells, expected):
    run = create_run(actor=quality_manager, kind="people", register_name="p.csv",
                     register_data=csv_bytes([cells], PEOPLE))
    assert run.status == ImportRun.Status.BLOCKED
    assert any(expected in p for p in _problems(run)), _problems(run)


def test_people_command(quality_manager, tmp_path):
    (tmp_path / "p.csv").write_bytes(csv_bytes([["newbie", "n@example.com", "New Bie", "", "Staff", "", "none"]],
                                               PEOPLE))
    call_command("import_people", str(tmp_path / "p.csv"), "--as", "qm")
    assert User.objects.filter(username="newbie").exists()
