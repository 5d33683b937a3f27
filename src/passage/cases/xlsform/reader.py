"""Read an uploaded XLSForm (.xlsx, .xls or .csv) with pyxform into a FormDefinition, and say everything
Passage does not do with it.

pyxform reads the sheets and checks the form as ODK would (its errors become Problems naming the sheet and
row); we then walk its JSON survey and keep what Passage runs. Each feature Passage does not run is
reported with its sheet, row and column, never dropped in silence:

- refused (severity "unsupported"): question types Passage cannot show or check (range, rank, audio, video,
  file, barcode, geotrace, geoshape, acknowledge, hidden, select from a file…), functions it does not
  evaluate (pulldata, search, instance…), XPath paths, unions, the trigger column, entities and
  external_choices sheets: each changes what an answer may be, so a form using them would not mean the
  same thing in Passage as in Collect;
- kept with a warning: what only changes how a device shows or sends the form (media, guidance hints,
  parameters, body:: and instance:: columns, unknown columns, settings such as style, public_key,
  submission_url), and the audit meta field. These are kept in the XForm exported for Collect.
"""

from __future__ import annotations

import re
from collections import defaultdict
from io import BytesIO
from pathlib import Path
from typing import Any

from pyxform.builder import create_survey_element_from_dict
from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import get_xlsform

from passage.cases.xlsform import expressions
from passage.cases.xlsform.definition import (
    DEFAULT_LANGUAGE,
    METADATA,
    SCORE_PREFIX,
    Choice,
    Field,
    FormDefinition,
    Problem,
)

MAX_BYTES = 10 * 1024 * 1024
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
_ROW = re.compile(r"^\s*\[row\s*:\s*(\d+)\]\s*")
_TRUE = {"yes", "true", "true()", "1"}
_FALSE = {"no", "false", "false()", "0", ""}

_KINDS = {
    "text": "text",
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "date": "date",
    "time": "time",
    "dateTime": "datetime",
    "select one": "select_one",
    "select all that apply": "select_multiple",
    "geopoint": "geopoint",
    "photo": "image",
    "image": "image",
    "note": "note",
    "calculate": "calculate",
    "group": "group",
    "repeat": "repeat",
    **{name: "metadata" for name in METADATA},
}
_UNSUPPORTED_TYPES = {
    "range": "ranges (sliders) are not supported; use integer with a constraint",
    "rank": "ranking is not supported",
    "audio": "audio recordings are not supported",
    "video": "video recordings are not supported",
    "file": "file attachments are not supported; use image",
    "barcode": "barcodes are not supported",
    "geotrace": "geotraces are not supported; use geopoint",
    "geoshape": "geoshapes are not supported; use geopoint",
    "acknowledge": "acknowledge (trigger) questions are not supported; use select_one",
    "trigger": "acknowledge (trigger) questions are not supported; use select_one",
    "hidden": "hidden questions are not supported; use calculate",
    "xml-external": "external XML instances are not supported",
    "csv-external": "external CSV instances are not supported",
    "select one external": "select_one_external is not supported",
    "background-audio": "background audio is a device feature Passage does not have",
    "background-geopoint": "background geopoints are a device feature Passage does not have",
    "start-geopoint": "start-geopoint is a device feature Passage does not have",
}
# Keys of pyxform's JSON for a survey element that Passage reads; anything else is reported.
_READ_KEYS = {
    "type", "name", "label", "hint", "bind", "control", "default", "_dynamic_default", "actions",
    "itemset", "list_name", "choices", "choice_filter", "children", "parameters",
}  # fmt: skip
_READ_BIND = {"required", "jr:requiredMsg", "constraint", "jr:constraintMsg", "relevant", "calculate", "readonly"}
_READ_CONTROL = {"appearance", "jr:count", "bodyless"}
_READ_SETTINGS = {
    "type", "name", "title", "id_string", "sms_keyword", "default_language", "version", "instance_name",
    "children", "choices", "sheet_names",
}  # fmt: skip
_SETTINGS_KEPT_FOR_COLLECT = {
    "style", "public_key", "submission_url", "auto_send", "auto_delete", "namespaces", "clean_text_values",
    "allow_choice_duplicates", "omit_instanceID", "attributes",
}  # fmt: skip


class FormReadError(ValueError):
    """The XLSForm cannot be used; `problems` lists every reason, each with its sheet and row."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def read_xlsform(source: bytes | Path, *, filename: str = "") -> FormDefinition:
    """The form, with its warnings in `problems`; FormReadError if anything refuses it."""
    form, problems = check_xlsform(source, filename=filename)
    if form is None:
        raise FormReadError([problem for problem in problems if problem.refuses])
    return form


def check_xlsform(source: bytes | Path, *, filename: str = "") -> tuple[FormDefinition | None, list[Problem]]:
    """Every problem found (errors first), and the form when nothing refuses it."""
    if isinstance(source, Path):
        filename = filename or source.name
        source = source.read_bytes()
    suffix = Path(filename).suffix.lower() if filename else ".xlsx"
    if suffix not in SUFFIXES:
        return None, [Problem("error", f"{suffix or 'this file'} is not an XLSForm: send .xlsx, .xls or .csv")]
    if not source:
        return None, [Problem("error", "the file is empty")]
    if len(source) > MAX_BYTES:
        return None, [Problem("error", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")]
    return _Reader(source, suffix).read()


def pyxform_problem(exc: BaseException) -> Problem:
    """pyxform's message, with its `[row : 12]` turned into a sheet and row a person can find."""
    message = str(exc).strip()
    match = _ROW.match(message)
    row = int(match.group(1)) if match else None
    if match:
        message = message[match.end() :]
    sheet = ""
    sheet_match = re.search(r"[Oo]n the '(\w+)' sheet,?\s*", message)
    if sheet_match:
        sheet = sheet_match.group(1)
        message = (message[: sheet_match.start()] + message[sheet_match.end() :]).strip()
    elif row is not None:
        sheet = "survey"  # pyxform's row numbers without a sheet are the survey sheet's
    return Problem("error", message, sheet=sheet, row=row)


def _flag(value: Any) -> str:
    """A required/read_only cell as an expression: "true()", "" or the expression as written."""
    text = str(value or "").strip()
    if text.lower() in _TRUE:
        return "true()"
    if text.lower() in _FALSE:
        return ""
    return text


def _texts(value: Any) -> dict[str, str]:
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return {str(language): str(text) for language, text in value.items() if text not in (None, "")}
    return {DEFAULT_LANGUAGE: str(value)}


class _Reader:
    def __init__(self, source: bytes, suffix: str) -> None:
        self.source = source
        self.suffix = suffix
        self.problems: list[Problem] = []
        self.rows: dict[str, list[int]] = defaultdict(list)  # survey name -> rows
        self.raw_types: dict[str, str] = {}

    def problem(
        self,
        severity: str,
        message: str,
        *,
        row: int | None = None,
        column: str = "",
        field: str = "",
        sheet: str = "survey",
    ) -> None:
        self.problems.append(Problem(severity, message, sheet=sheet, row=row, column=column, field=field))

    def read(self) -> tuple[FormDefinition | None, list[Problem]]:
        try:
            workbook = get_xlsform(BytesIO(self.source), file_type=self.suffix)
        except PyXFormError as exc:
            return None, [pyxform_problem(exc)]
        except Exception as exc:  # a damaged file makes openpyxl/xlrd raise anything
            return None, [Problem("error", f"the file cannot be read as an XLSForm: {exc}")]
        self.scan_workbook(workbook)
        warnings: list[str] = []
        try:
            data = workbook_to_json(
                workbook_dict=workbook,
                form_name=None,
                fallback_form_name=workbook.fallback_form_name,
                default_language=None,
                warnings=warnings,
            )
            create_survey_element_from_dict(data).to_xml(validate=False, warnings=warnings)
        except PyXFormError as exc:
            return None, [*self.errors_first(), pyxform_problem(exc)]
        except Exception as exc:  # pyxform raises plain exceptions for some broken forms
            return None, [*self.errors_first(), Problem("error", f"pyxform could not read the form: {exc}")]
        for warning in warnings:
            for line in filter(None, (line.strip() for line in warning.splitlines())):
                problem = pyxform_problem(Exception(line))
                self.problems.append(Problem("warning", problem.message, sheet=problem.sheet, row=problem.row))
        form = self.build(data)
        problems = self.errors_first()
        if any(problem.refuses for problem in problems):
            return None, problems
        form.problems = [problem for problem in problems if not problem.refuses]
        return form, problems

    def errors_first(self) -> list[Problem]:
        rank = {"error": 0, "unsupported": 1, "warning": 2}
        return sorted(self.problems, key=lambda problem: (rank[problem.severity], problem.row or 0))

    # The sheets as written ---------------------------------------------------------------------------------

    def scan_workbook(self, workbook: Any) -> None:
        for sheet, reason in (
            ("entities", "ODK entities are not supported"),
            ("external_choices", "external choices are not supported"),
            ("osm", "OpenStreetMap questions are not supported"),
        ):
            if getattr(workbook, sheet, None):
                self.problem("unsupported", f"the {sheet} sheet: {reason}", sheet=sheet)
        for number, row in enumerate(workbook.survey or [], start=2):
            name = str(row.get("name", "")).strip()
            kind = str(row.get("type", "")).strip()
            if name:
                self.rows[name].append(number)
                self.raw_types.setdefault(name, kind)

    def row(self, name: str) -> int | None:
        rows = self.rows.get(name) or (self.rows.get(name.removesuffix("_other")) if name.endswith("_other") else None)
        return rows[0] if rows else None  # a field pyxform adds for or_other has its question's row

    # pyxform's JSON -> our fields --------------------------------------------------------------------------

    def build(self, data: dict[str, Any]) -> FormDefinition:
        languages: set[str] = set()
        children = self.fields(data.get("children", []), (), (), "", languages)
        choices = {
            list_name: tuple(self.choice(item, languages) for item in items)
            for list_name, items in (data.get("choices") or {}).items()
        }
        for key in sorted(set(data) - _READ_SETTINGS):
            if key in _SETTINGS_KEPT_FOR_COLLECT:
                self.problem(
                    "warning",
                    "Passage ignores this setting; it is kept in the XForm for Collect",
                    sheet="settings",
                    column=key,
                )
            else:
                self.problem("warning", "Passage ignores this setting", sheet="settings", column=key)
        default_language = str(data.get("default_language") or DEFAULT_LANGUAGE)
        form = FormDefinition(
            id_string=str(data.get("id_string") or data.get("name") or ""),
            version=str(data.get("version") or ""),
            title=str(data.get("title") or data.get("id_string") or ""),
            default_language=default_language,
            languages=tuple(sorted(languages, key=lambda language: (language != default_language, language))),
            children=children,
            choices=choices,
            instance_name=str(data.get("instance_name") or ""),
        )
        self.check_names(form)
        self.parse_rules(form)
        if not any(problem.refuses for problem in self.problems):
            form.order = self.evaluation_order(form)
        return form

    def choice(self, item: dict[str, Any], languages: set[str]) -> Choice:
        labels = _texts(item.get("label"))
        languages.update(labels)
        columns = {str(key): str(value) for key, value in item.items() if key not in ("name", "label", "media")}
        return Choice(name=str(item.get("name", "")), labels=labels, columns=columns)

    def fields(
        self,
        items: list[dict[str, Any]],
        groups: tuple[str, ...],
        repeats: tuple[str, ...],
        parent: str,
        languages: set[str],
    ) -> list[Field]:
        out: list[Field] = []
        for item in items:
            built = self.field(item, groups, repeats, parent, languages)
            if built is not None:
                out.append(built)
        return out

    def field(
        self, item: dict[str, Any], groups: tuple[str, ...], repeats: tuple[str, ...], parent: str, languages: set[str]
    ) -> Field | None:
        name = str(item.get("name", ""))
        pyxform_type = str(item.get("type", ""))
        row = self.row(name)
        if name == "meta" and pyxform_type == "group" and (item.get("control") or {}).get("bodyless"):
            for meta in item.get("children", []):
                if meta.get("type") == "audit":
                    self.problem(
                        "warning",
                        "the audit log is a device feature; Passage ignores it",
                        row=self.row(meta.get("name", "")),
                        field=str(meta.get("name", "")),
                    )
            return None
        kind = _KINDS.get(pyxform_type)
        itemset = str(item.get("itemset") or "")
        if kind in ("select_one", "select_multiple") and re.search(r"\.(csv|xml|geojson)$", itemset):
            self.problem(
                "unsupported",
                f"type '{self.raw_types.get(name, pyxform_type)}': choices from a file "
                "are not supported; put them on the choices sheet",
                row=row,
                column="type",
                field=name,
            )
            return None
        if kind is None:
            raw = self.raw_types.get(name, pyxform_type)
            reason = _UNSUPPORTED_TYPES.get(pyxform_type, "this question type is not supported")
            self.problem("unsupported", f"type '{raw}': {reason}", row=row, column="type", field=name)
            return None
        bind = dict(item.get("bind") or {})
        control = dict(item.get("control") or {})
        labels, hints = _texts(item.get("label")), _texts(item.get("hint"))
        constraint_message = _texts(bind.get("jr:constraintMsg"))
        required_message = _texts(bind.get("jr:requiredMsg"))
        for texts in (labels, hints, constraint_message, required_message):
            languages.update(texts)
        self.report_ignored(item, bind, control, name, row)
        if "search(" in str(control.get("appearance") or ""):
            self.problem("unsupported", "the search() appearance reads a CSV file attached to the form on the device",
                         row=row, column="appearance", field=name)  # fmt: skip
        built = Field(
            name=name,
            kind=kind,
            row=row,
            labels=labels,
            hints=hints,
            required=_flag(bind.get("required")),
            required_message=required_message,
            constraint=str(bind.get("constraint") or ""),
            constraint_message=constraint_message,
            relevant=str(bind.get("relevant") or ""),
            calculation=str(bind.get("calculate") or ""),
            read_only=_flag(bind.get("readonly")),
            default=str(item.get("default") or ""),
            dynamic_default=bool(item.get("_dynamic_default")),
            appearance=str(control.get("appearance") or ""),
            list_name=str(item.get("list_name") or ""),
            choices=tuple(self.choice(choice, languages) for choice in item.get("choices") or ()),
            choice_filter=str(item.get("choice_filter") or ""),
            repeat_count=str(control.get("jr:count") or ""),
            metadata=pyxform_type if kind == "metadata" else "",
            group_path=groups,
            repeats=repeats,
            parent=parent,
        )
        if kind in ("group", "repeat"):
            inner_repeats = (*repeats, name) if kind == "repeat" else repeats
            built.children = self.fields(item.get("children", []), (*groups, name), inner_repeats, name, languages)
        if kind == "calculate" and built.name.startswith(SCORE_PREFIX) and repeats:
            self.problem(
                "error",
                f"a score ({SCORE_PREFIX}…) cannot be inside a repeat: a case has one value per score",
                row=row,
                column="name",
                field=name,
            )
        elif built.name.startswith(SCORE_PREFIX) and kind != "calculate":
            self.problem(
                "warning",
                f"named like a score but a {kind}, not a calculate: it is not a score",
                row=row,
                column="name",
                field=name,
            )
        return built

    def report_ignored(
        self, item: dict[str, Any], bind: dict[str, Any], control: dict[str, Any], name: str, row: int | None
    ) -> None:
        if "trigger" in item:
            self.problem(
                "unsupported", "recalculating on a trigger is not supported", row=row, column="trigger", field=name
            )
        for key in sorted(set(item) - _READ_KEYS - {"trigger"}):
            value = item[key]
            columns = [f"{key}::{inner}" for inner in value] if isinstance(value, dict) else [key]
            for column in columns:
                self.problem(
                    "warning",
                    "Passage ignores this column; it is kept in the XForm for Collect",
                    row=row,
                    column=column,
                    field=name,
                )
        for key in sorted(set(bind) - _READ_BIND):
            self.problem(
                "warning",
                "Passage ignores this column; it is kept in the XForm for Collect",
                row=row,
                column=f"bind::{key}",
                field=name,
            )
        for key in sorted(set(control) - _READ_CONTROL):
            self.problem(
                "warning",
                "Passage ignores this column; it is kept in the XForm for Collect",
                row=row,
                column=f"body::{key}",
                field=name,
            )
        if item.get("parameters") and item.get("type") not in ("select one", "select all that apply"):
            self.problem(
                "warning",
                "Passage ignores these parameters; they are kept in the XForm for Collect",
                row=row,
                column="parameters",
                field=name,
            )
        elif item.get("parameters"):
            self.problem(
                "warning",
                "Passage ignores these parameters (choice order is kept as written)",
                row=row,
                column="parameters",
                field=name,
            )

    def check_names(self, form: FormDefinition) -> None:
        seen: dict[str, Field] = {}
        for item in form.walk():
            if item.name in seen:
                rows = self.rows.get(item.name, [])
                self.problem(
                    "error",
                    f"the name '{item.name}' is used more than once (rows "
                    f"{', '.join(str(row) for row in rows)}): Passage stores answers by name, so names must "
                    "be unique in the form",
                    row=rows[-1] if rows else None,
                    column="name",
                    field=item.name,
                )
            seen[item.name] = item

    # Rules -------------------------------------------------------------------------------------------------

    def parse_rules(self, form: FormDefinition) -> None:
        for item in form.walk():
            columns = {
                "relevant": item.relevant,
                "constraint": item.constraint,
                "calculation": item.calculation,
                "required": item.required,
                "read_only": item.read_only,
                "choice_filter": item.choice_filter,
                "repeat_count": item.repeat_count,
                "default": item.default if item.dynamic_default else "",
            }
            if item.read_only not in ("", "true()"):
                self.problem("unsupported", "read_only as an expression is not supported; write yes or no",
                             row=item.row, column="read_only", field=item.name)  # fmt: skip
                columns["read_only"] = ""
            for column, source in columns.items():
                if source:
                    node = self.parse(source, column, item, form)
                    if node is not None:
                        item.rules[column] = node
        if form.instance_name:
            try:
                form.instance_name_rule = expressions.parse(form.instance_name)
            except expressions.ExpressionError as exc:
                severity = "unsupported" if isinstance(exc, expressions.UnsupportedExpression) else "error"
                self.problem(severity, str(exc), sheet="settings", column="instance_name")

    def parse(self, source: str, column: str, item: Field, form: FormDefinition) -> expressions.Node | None:
        try:
            node = expressions.parse(source)
        except expressions.UnsupportedExpression as exc:
            self.problem("unsupported", f"{exc} in {source!r}", row=item.row, column=column, field=item.name)
            return None
        except expressions.ExpressionError as exc:
            self.problem("error", f"{exc} in {source!r}", row=item.row, column=column, field=item.name)
            return None
        for name in sorted(expressions.references(node) - set(form.fields)):
            self.problem(
                "error", f"${{{name}}} is not a field of this form", row=item.row, column=column, field=item.name
            )
        names = expressions.bare_names(node)
        if names and column != "choice_filter":
            self.problem(
                "unsupported",
                f"'{sorted(names)[0]}' is an XPath path; refer to a field as ${{name}}",
                row=item.row,
                column=column,
                field=item.name,
            )
        elif names:
            known = {"name", "label"} | {key for choice in item.choices for key in choice.columns}
            for name in sorted(names - known):
                self.problem(
                    "error",
                    f"the choices of list '{item.list_name}' have no column '{name}'",
                    row=item.row,
                    column=column,
                    field=item.name,
                )
        return node

    def evaluation_order(self, form: FormDefinition) -> tuple[str, ...]:
        """Fields ordered so that each comes after what its relevance and calculation read, and after its
        group; a cycle is an error naming the fields in it."""
        needs: dict[str, list[str]] = {}
        for item in form.walk():
            deps = [item.parent] if item.parent else []
            for column in ("relevant", "calculation", "repeat_count"):
                if column in item.rules:
                    deps.extend(sorted(expressions.references(item.rules[column])))
            needs[item.name] = deps
        order: list[str] = []
        state: dict[str, int] = {}  # 1 visiting, 2 done

        def visit(name: str, trail: list[str]) -> bool:
            if state.get(name) == 2:
                return True
            if state.get(name) == 1:
                cycle = [*trail[trail.index(name) :], name]
                first = form.fields[cycle[0]]
                self.problem(
                    "error",
                    "relevant and calculation rules go round in a cycle: " + " → ".join(cycle),
                    row=first.row,
                    field=first.name,
                )
                return False
            state[name] = 1
            for dep in needs.get(name, []):
                if not visit(dep, [*trail, name]):
                    return False
            state[name] = 2
            order.append(name)
            return True

        for item in form.walk():
            if not visit(item.name, []):
                return ()
        return tuple(order)
