"""Helpers the sample forms share: bilingual labels (English, Arabic), choice lists, and the settings row.

A form module holds its rows as dicts, one a row of the survey or choices sheet, and names each form by the code
a workflow requires (its settings form_id is passage_<code>, as upload_form reads it)."""

from __future__ import annotations

from typing import Any

EN, AR = "English (en)", "Arabic (ar)"
VERSION = "2025.1"

Row = dict[str, str]
Form = tuple[list[Row], list[Row], dict[str, str]]


def label(en: str, ar: str) -> Row:
    return {f"label::{EN}": en, f"label::{AR}": ar}


def hint(en: str, ar: str) -> Row:
    return {f"hint::{EN}": en, f"hint::{AR}": ar}


def message(en: str, ar: str) -> Row:
    return {f"constraint_message::{EN}": en, f"constraint_message::{AR}": ar}


def question(kind: str, name: str, en: str, ar: str, **columns: Any) -> Row:
    """A survey row: its type, name, English and Arabic labels, and any other columns (required="yes", …)."""
    return {"type": kind, "name": name, **label(en, ar), **columns}


def group(name: str, en: str, ar: str, **columns: Any) -> Row:
    return question("begin_group", name, en, ar, **columns)


END_GROUP: Row = {"type": "end_group"}
END_REPEAT: Row = {"type": "end_repeat"}


def calculate(name: str, calculation: str) -> Row:
    return {"type": "calculate", "name": name, "calculation": calculation}


def choices(list_name: str, items: list[tuple[str, str, str]], **columns: str) -> list[Row]:
    return [{"list_name": list_name, "name": name, **label(en, ar), **columns} for name, en, ar in items]


NOT_FUTURE = {
    "constraint": ". <= today()",
    **message("The date cannot be in the future.", "لا يمكن أن يكون التاريخ في المستقبل."),
}


def date_today(name: str, en: str, ar: str) -> Row:
    """A required date, today unless changed, that cannot be in the future."""
    return question("date", name, en, ar, required="yes", default="today()", **NOT_FUTURE)


def date_after(name: str, en: str, ar: str, earlier: str, **columns: Any) -> Row:
    """A date on or after the answer `earlier` (a planned or next date)."""
    return question(
        "date",
        name,
        en,
        ar,
        constraint=f". >= ${{{earlier}}}",
        **message("This date cannot be before the earlier one.", "لا يمكن أن يكون هذا التاريخ قبل التاريخ السابق."),
        **columns,
    )


def only_none(option: str = "none") -> Row:
    """A select_multiple's constraint: `none` cannot be ticked with another answer."""
    return {
        "constraint": f"not(selected(., '{option}') and count-selected(.) > 1)",
        **message("'None' cannot be ticked with another answer.", "لا يمكن اختيار «لا شيء» مع إجابة أخرى."),
    }


YES_NO = choices("yes_no", [("yes", "Yes", "نعم"), ("no", "No", "لا")])
SEX = choices("sex", [("female", "Female", "أنثى"), ("male", "Male", "ذكر")])


def settings(code: str, en_title: str, instance_name: str) -> dict[str, str]:
    return {
        "form_title": en_title,
        "form_id": f"passage_{code}",
        "version": VERSION,
        "default_language": EN,
        "instance_name": instance_name,
    }
