"""Spreadsheet formula injection: user text in every export format stays text."""

import csv
import io

from openpyxl import load_workbook

from qms.exports import table_bytes

EVIL = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1)", "=1+1", "plain", "bell\x07char"]


def test_xlsx_export_writes_formula_text_as_inert_strings():
    content, _ = table_bytes(["Value"], [[v] for v in EVIL], "xlsx")
    ws = load_workbook(io.BytesIO(content)).active
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    assert all(c.data_type == "s" for c in cells), [(c.value, c.data_type) for c in cells]
    assert [c.value for c in cells][:6] == EVIL[:6]  # kept exactly as entered
    assert cells[6].value == "bell\ufffdchar"  # a control character XLSX cannot store does not fail the export


def test_xlsx_numbers_and_dates_keep_their_types():
    from datetime import date

    content, _ = table_bytes(["n", "d"], [[42, date(2026, 1, 2)]], "xlsx")
    ws = load_workbook(io.BytesIO(content)).active
    assert ws["A2"].value == 42 and ws["A2"].data_type == "n"


def test_csv_export_neutralises_formulas():
    content, _ = table_bytes(["Value"], [[v] for v in EVIL], "csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:]
    assert all(not r[0].startswith(("=", "+", "-", "@")) for r in rows)
    assert rows[0][0] == "'" + EVIL[0]


def test_labels_marked_for_translation_export_as_their_text_in_both_formats():
    """A choice label or heading marked with gettext_lazy is a lazy object, which
    openpyxl refuses ("Cannot convert"): every export writes its text instead."""
    from django.utils.translation import gettext_lazy

    content, _ = table_bytes([gettext_lazy("Status")], [[gettext_lazy("Missing")]], "xlsx")
    ws = load_workbook(io.BytesIO(content)).active
    assert (ws["A1"].value, ws["A2"].value) == ("Status", "Missing")
    content, _ = table_bytes([gettext_lazy("Status")], [[gettext_lazy("Missing")]], "csv")
    assert list(csv.reader(io.StringIO(content.decode("utf-8-sig")))) == [["Status"], ["Missing"]]
