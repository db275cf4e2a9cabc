"""A register is read a row at a time (intake/tabular.py, issue 19: 100,000 rows
in < 500 MB), and every file-level problem is still known before any row is planned."""

from __future__ import annotations

import csv
import inspect

import pytest

from intake.models import ImportRun
from intake.services import create_run
from intake.tabular import read_table
from tests.intake.files import xlsx_bytes
from tests.records.factories import make_type


def test_rows_are_read_one_at_a_time_numbered_as_in_the_file_and_again_on_each_reading():
    table = read_table("r.csv", b"A,B\n1,2\n,\n 3 ,4\n")
    assert table.errors == [] and table.headers == ["A", "B"]
    rows = table.iter_rows()
    assert inspect.isgenerator(rows)
    assert list(rows) == [(2, {"A": "1", "B": "2"}), (3, {}), (4, {"A": "3", "B": "4"})]
    assert list(table.iter_rows()) == [(2, {"A": "1", "B": "2"}), (3, {}), (4, {"A": "3", "B": "4"})]
    assert table.rows == [{"A": "1", "B": "2"}, {}, {"A": "3", "B": "4"}]


def test_an_xlsx_is_read_a_row_at_a_time_from_its_first_row_that_is_not_blank():
    table = read_table("r.xlsx", xlsx_bytes([["", ""], ["Number", "Title"], ["SOP-1", "Control"]], headers=[None, None]))
    assert table.errors == [] and table.headers == ["Number", "Title"]
    assert [row for _, row in table.iter_rows()] == [{"Number": "SOP-1", "Title": "Control"}]


def test_a_csv_that_cannot_be_parsed_at_its_end_is_refused_before_any_row():
    data = f'A,B\n1,2\n3,"{"x" * (csv.field_size_limit() + 1)}"\n'.encode()
    table = read_table("r.csv", data)
    assert len(table.errors) == 1 and table.errors[0].startswith("The CSV file cannot be read: field larger")
    assert list(table.iter_rows()) == []


@pytest.mark.django_db
def test_a_records_import_of_a_broken_csv_plans_no_row_and_is_blocked(quality_manager):
    rt = make_type("CAL")
    data = f'Instrument ID,Deviation\nMIC-01,1\nMIC-02,"{"x" * (csv.field_size_limit() + 1)}"\n'.encode()
    run = create_run(actor=quality_manager, kind="records", register_name="cal.csv", register_data=data, record_type=rt)
    assert run.status == ImportRun.Status.BLOCKED and run.report["rows"] == []
    assert run.report["errors"][0].startswith("The CSV file cannot be read")


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("r.csv", b"\n ,\n", "The file has no header row."),
    ("r.xlsx", xlsx_bytes([], headers=[None, None]), "The file has no header row."),
    ("r.csv", b"A,a\n1,2\n", "The column “a” appears twice."),
    ("r.xlsx", xlsx_bytes([[1, 2]], headers=["A", "a"]), "The column “a” appears twice."),
    ("r.xlsx", b"PK\x05\x06" + b"\0" * 18, "The spreadsheet cannot be read: "),
])
def test_file_level_problems_are_known_before_any_row(name, data, expected):
    table = read_table(name, data)
    assert table.errors and table.errors[0].startswith(expected), table.errors
