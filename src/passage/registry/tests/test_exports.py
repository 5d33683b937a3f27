"""Exports: formulas neutralised, Arabic readable in Excel, HXL aggregates with small cells suppressed."""

from __future__ import annotations

import csv
import datetime as dt
import io

import hxl
from hxl.input import InputOptions
from openpyxl import load_workbook

from passage.registry.exports import aggregate_hxl, neutralise, people_csv, people_xlsx
from passage.registry.models import Person


def _people() -> list[Person]:
    return [
        Person(
            reference="P-1",
            given_name="محمد",
            given_name_latin='=HYPERLINK("http://x")',
            sex="male",
            birth_date=dt.date(1985, 1, 1),
            birth_date_precision="year",
        ),
        Person(reference="P-2", given_name_latin="+1 (555)", family_name_latin="@SUM(A1)", sex="female"),
    ]


def test_formulas_become_text():
    assert neutralise("=1+1") == "'=1+1" and neutralise("-2") == "'-2" and neutralise("Amal") == "Amal"


def test_csv_keeps_arabic_and_neutralises_formulas():
    content = people_csv(_people())
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[1][1] == "محمد" and rows[1][3].startswith("'=HYPERLINK")
    assert rows[2][3] == "'+1 (555)" and rows[2][4] == "'@SUM(A1)"


def test_xlsx_cells_are_text_not_formulas():
    sheet = load_workbook(io.BytesIO(people_xlsx(_people()))).active
    cell = sheet.cell(row=2, column=4)
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_hxl_aggregates_suppress_small_cells_and_are_valid_hxl():
    today = dt.date(2026, 11, 22)
    rows = [("IQD083", "female", dt.date(1990, 5, 1))] * 7 + [("IQD083", "male", dt.date(2020, 1, 1))] * 2
    content = aggregate_hxl(rows, today=today)
    dataset = hxl.data(io.BytesIO(content), InputOptions(encoding="utf-8"))
    values = {(r.get("#beneficiary+sex"), r.get("#beneficiary+age+group")): r.get("#affected+num") for r in dataset}
    assert values[("female", "18-59")] == "7" and values[("male", "5-11")] == "<5"
