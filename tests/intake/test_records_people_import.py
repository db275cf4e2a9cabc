"""Record import (rows → submitted records, validated by the record form) and people import."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command

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
    return [p for r in run.report["rows"] for p in r["problems"]] + run.report["errors"]


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
