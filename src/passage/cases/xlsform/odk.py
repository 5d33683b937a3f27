"""Exchange forms and submissions with KoboCollect and ODK Collect.

Export: the XForm that Collect reads, made by pyxform from the XLSForm as uploaded (so columns Passage
ignores, such as media or guidance hints, still reach the device), and the XLSForm itself for Kobo.

Import: a KoboToolbox export (CSV, or XLSX with a sheet per repeat linked by _index/_parent_index) or an
ODK Central export (a ZIP of FORM.csv and FORM-REPEAT.csv linked by KEY/PARENT_KEY) read back into
submissions, each checked by submission.evaluate(). Submissions are keyed by their stable ID — the root
instance ID that survives edits (meta/rootUuid), else the instance ID (_uuid, meta/instanceID, KEY),
without its `uuid:` prefix — so importing the same file twice gives the same keys and fingerprints, and
plan_import() tells what is new, changed or unchanged. Every problem names its sheet, row and field."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes
from openpyxl import load_workbook
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from passage.cases.xlsform.definition import Field, FormDefinition, Problem
from passage.cases.xlsform.reader import FormReadError, pyxform_problem
from passage.cases.xlsform.submission import Evaluation, evaluate

MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 200_000
_META_NAMES = {
    "KEY", "PARENT_KEY", "SubmissionDate", "SubmitterID", "SubmitterName", "AttachmentsPresent",
    "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion", "instanceID",
    "formhub/uuid", "meta/instanceID", "meta/rootUuid", "meta/deprecatedID", "meta/instanceName",
    "meta-instanceID", "meta-rootUuid", "meta-deprecatedID", "meta-instanceName",
}  # fmt: skip
_GEO_PARTS = ("latitude", "longitude", "altitude", "precision", "accuracy")


# Export ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CollectExport:
    form_id: str
    version: str
    xform: str  # the XForm XML that Collect and Enketo read
    xlsform: bytes  # the XLSForm as uploaded, for KoboToolbox
    xlsform_filename: str

    def zip_bytes(self) -> bytes:
        """Both files in one download: FORM_ID.xml and the XLSForm."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{self.form_id}.xml", self.xform)
            archive.writestr(self.xlsform_filename, self.xlsform)
        return out.getvalue()


def export_for_collect(source: bytes, *, filename: str = "form.xlsx") -> CollectExport:
    """The XForm for KoboCollect/ODK Collect, made by pyxform from the XLSForm as uploaded."""
    suffix = Path(filename).suffix.lower() or ".xlsx"
    try:
        result = convert(io.BytesIO(source), file_type=suffix, pretty_print=True)
    except PyXFormError as exc:
        raise FormReadError([pyxform_problem(exc)]) from exc
    except Exception as exc:  # a damaged file makes openpyxl/xlrd raise anything
        raise FormReadError([Problem("error", f"the file cannot be read as an XLSForm: {exc}")]) from exc
    data = result._pyxform or {}  # pyxform's JSON, for the form's id and version
    form_id = str(data.get("id_string") or Path(filename).stem)
    return CollectExport(
        form_id=form_id,
        version=str(data.get("version") or ""),
        xform=result.xform,
        xlsform=source,
        xlsform_filename=Path(filename).name or f"{form_id}{suffix}",
    )


# Import ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int | None
    field: str  # an answer path (members[2].age) or a column
    message: str

    def __str__(self) -> str:
        where = f"sheet {self.sheet}" if self.sheet else ""
        if self.row is not None:
            where = f"{where} row {self.row}".strip()
        if self.field:
            where = f"{where}, field '{self.field}'" if where else f"field '{self.field}'"
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ImportedSubmission:
    key: str  # the stable submission ID
    instance_id: str  # this version's instance ID
    sheet: str
    row: int
    answers: dict[str, Any]  # as read from the file, before checking
    evaluation: Evaluation
    meta: dict[str, str]  # the export's own columns: _id, _submission_time, SubmissionDate, FormVersion…
    form_version: str
    fingerprint: str  # changes only when the kept answers change

    @property
    def ok(self) -> bool:
        return self.evaluation.ok


@dataclass
class SubmissionImport:
    shape: str  # kobo-xlsx, kobo-csv, odk-zip
    submissions: dict[str, ImportedSubmission] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0  # rejected or not approved in the source, left out

    @property
    def valid(self) -> list[ImportedSubmission]:
        return [item for item in self.submissions.values() if item.ok]


@dataclass(frozen=True)
class ImportPlan:
    create: list[str]
    update: list[str]
    unchanged: list[str]


def plan_import(existing: Mapping[str, str], result: SubmissionImport) -> ImportPlan:
    """Given the fingerprints already stored by key, what importing the valid submissions would do."""
    create, update, unchanged = [], [], []
    for item in result.valid:
        if item.key not in existing:
            create.append(item.key)
        elif existing[item.key] != item.fingerprint:
            update.append(item.key)
        else:
            unchanged.append(item.key)
    return ImportPlan(create, update, unchanged)


def fingerprint(values: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class SubmissionFileError(ValueError):
    """The file is not an export Passage can read at all."""


@dataclass
class _Table:
    name: str  # the sheet or file name
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # spreadsheet row number, column -> text


def read_submissions(
    form: FormDefinition,
    source: bytes,
    *,
    filename: str,
    include_rejected: bool = False,
    today: dt.date | None = None,
) -> SubmissionImport:
    """The submissions of a Kobo or ODK export, each checked against `form`; SubmissionFileError when the
    file cannot be read as an export at all."""
    if len(source) > MAX_BYTES:
        raise SubmissionFileError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    suffix = Path(filename).suffix.lower()
    if suffix == ".zip":
        shape, tables = "odk-zip", _read_zip(source)
    elif suffix in (".xlsx", ".xlsm"):
        shape, tables = "kobo-xlsx", _read_xlsx(source)
    elif suffix in (".csv", ".txt"):
        shape, tables = "kobo-csv", [_read_csv(source, Path(filename).stem)]
    else:
        raise SubmissionFileError(
            f"{suffix or 'this file'} is not an export Passage reads: send CSV, XLSX or ODK's ZIP"
        )
    if not tables or not tables[0].header:
        raise SubmissionFileError("the file has no header row")
    if sum(len(table.rows) for table in tables) > MAX_ROWS:
        raise SubmissionFileError(f"the file has more than {MAX_ROWS} rows: split the export")
    if shape == "kobo-csv" and "KEY" in tables[0].header:
        shape = "odk-csv"
    return _Importer(form, shape, tables, include_rejected, today).run()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        guess = from_bytes(data[: 1024 * 1024]).best()
        if guess is None:
            raise SubmissionFileError("the file's text encoding could not be recognised; save it as UTF-8") from None
        return data.decode(guess.encoding, errors="replace")


def _read_csv(data: bytes, name: str) -> _Table:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)  # Kobo writes ';' by default, ODK ','
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = list(reader)
    if not rows:
        return _Table(name, [], [])
    header = [column.strip() for column in rows[0]]
    body = [
        (number, {column: cell.strip() for column, cell in zip(header, row, strict=False) if column})
        for number, row in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in row)
    ]
    return _Table(name, header, body)


def _read_xlsx(data: bytes) -> list[_Table]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors for a damaged file
        raise SubmissionFileError(f"the file cannot be read as XLSX: {exc}") from exc
    tables = []
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = [_text(cell) for cell in next(rows, ())]
            body = []
            for number, row in enumerate(rows, start=2):
                cells = {column: _text(cell) for column, cell in zip(header, row, strict=False) if column}
                if any(cells.values()):
                    body.append((number, cells))
            tables.append(_Table(sheet.title, header, body))
    finally:
        book.close()
    return tables


def _read_zip(data: bytes) -> list[_Table]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SubmissionFileError("the file is not a ZIP archive") from exc
    with archive:
        names = [name for name in archive.namelist() if name.lower().endswith(".csv") and "/" not in name.strip("/")]
        tables = [_read_csv(archive.read(name), Path(name).stem) for name in names]
    main = [table for table in tables if "PARENT_KEY" not in table.header]
    if len(main) != 1:
        raise SubmissionFileError(
            "the ZIP should hold one submissions CSV and one CSV per repeat, as ODK Central exports"
        )
    return main + [table for table in tables if "PARENT_KEY" in table.header]


def _strip_uuid(value: str) -> str:
    value = value.strip()
    return value[5:] if value.lower().startswith("uuid:") else value


class _Importer:
    def __init__(
        self, form: FormDefinition, shape: str, tables: list[_Table], include_rejected: bool, today: dt.date | None
    ) -> None:
        self.form = form
        self.shape = shape
        self.tables = tables
        self.include_rejected = include_rejected
        self.today = today
        self.result = SubmissionImport(shape=shape)
        self.columns: dict[str, tuple[Field, str]] = {}  # header -> field, part (""/choice/geo part)
        self.labels: dict[str, Field] = {}
        self.map_columns()

    # Columns -----------------------------------------------------------------------------------------------

    def map_columns(self) -> None:
        label_counts: dict[str, list[Field]] = {}
        for item in self.form.walk():
            if not item.holds_answer and item.kind != "note":
                continue
            paths = {item.name, "/".join((*item.group_path, item.name)), "-".join((*item.group_path, item.name))}
            for path in paths:
                self.columns.setdefault(path, (item, ""))
            if item.kind == "select_multiple":
                for choice in item.choices:
                    for path in paths:
                        self.columns.setdefault(f"{path}/{choice.name}", (item, choice.name))
            if item.kind == "geopoint":
                for part in _GEO_PARTS:
                    for path in paths:
                        self.columns.setdefault(f"_{path}_{part}", (item, part))
                        self.columns.setdefault(f"{path}-{part.capitalize()}", (item, part))
            for label in item.labels.values():
                label_counts.setdefault(label.strip().lower(), []).append(item)
        self.labels = {label: items[0] for label, items in label_counts.items() if len(items) == 1 and label}

    def column(self, header: str) -> tuple[Field, str] | None:
        found = self.columns.get(header)
        if found is None:
            item = self.labels.get(header.strip().lower())
            found = (item, "") if item is not None else None
        return found

    @staticmethod
    def is_meta(header: str) -> bool:
        return header.startswith("_") or header in _META_NAMES or header.startswith("SET-OF-")

    # Rows --------------------------------------------------------------------------------------------------

    def answers(self, cells: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
        answers: dict[str, Any] = {}
        meta: dict[str, str] = {}
        details: dict[str, list[str]] = {}
        geo: dict[str, dict[str, str]] = {}
        for header, value in cells.items():
            mapped = self.column(header)
            if mapped is None:
                if value and (self.is_meta(header) or header in ("start", "end", "today", "deviceid", "username")):
                    meta[header] = value
                continue
            item, part = mapped
            if item.kind == "note" or value == "":
                continue
            if part and item.kind == "select_multiple":
                if value.strip().lower() in ("1", "true", "yes"):
                    details.setdefault(item.name, []).append(part)
            elif part:
                geo.setdefault(item.name, {})[part] = value
            else:
                answers[item.name] = self.value(item, value)
        for name, chosen in details.items():
            answers.setdefault(name, " ".join(chosen))
        for name, parts in geo.items():
            if name not in answers and parts.get("latitude") and parts.get("longitude"):
                accuracy = parts.get("precision") or parts.get("accuracy") or "0"
                answers[name] = " ".join(
                    (parts["latitude"], parts["longitude"], parts.get("altitude") or "0", accuracy)
                )
        return answers, meta

    def value(self, item: Field, value: str) -> str:
        """A cell as the answer: choices exported as labels go back to their names."""
        if item.kind == "select_one" and item.choices and item.choice(value) is None:
            return self.choice_name(item, value) or value
        if item.kind == "select_multiple" and item.choices:
            names = value.split()
            if all(item.choice(name) for name in names):
                return value
            whole = self.choice_name(item, value)
            return whole or value
        if item.kind == "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]00:00(:00(\.0+)?)?", value):
            return value[:10]
        return value

    @staticmethod
    def choice_name(item: Field, label: str) -> str:
        wanted = label.strip().lower()
        for choice in item.choices:
            if any(text.strip().lower() == wanted for text in choice.labels.values()):
                return choice.name
        return ""

    def warn_unknown(self, table: _Table) -> None:
        unknown = [
            header
            for header in table.header
            if header
            and self.column(header) is None
            and not self.is_meta(header)
            and header not in ("start", "end", "today", "deviceid", "username")
        ]
        if unknown:
            listed = ", ".join(f"'{header}'" for header in unknown[:10])
            more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
            self.result.warnings.append(
                f"sheet {table.name}: columns {listed}{more} are not fields of this form: ignored"
            )

    def rejected(self, meta: Mapping[str, str]) -> bool:
        status = meta.get("_validation_status", "").lower().replace(" ", "_")
        return "not_approved" in status or meta.get("ReviewState", "").lower() == "rejected"

    # Repeats -----------------------------------------------------------------------------------------------

    def repeat_for(self, table: _Table) -> Field | None:
        repeats = [item for item in self.form.walk() if item.kind == "repeat"]
        for item in repeats:
            if table.name in (item.name, item.name[:31]) or table.name.endswith(f"-{item.name}"):
                return item
        for item in repeats:  # Kobo cuts long sheet names; ODK names files FORM-REPEAT
            if item.name.startswith(table.name) and len(table.name) >= 28:
                return item
        return None

    def run(self) -> SubmissionImport:
        main, *repeat_tables = self.tables
        self.warn_unknown(main)
        records: dict[tuple[str, str], dict[str, Any]] = {}  # (table, row key) -> answers
        origins: dict[int, tuple[str, int]] = {}  # id(answers dict) -> (sheet, row)
        submissions: list[tuple[int, dict[str, Any], dict[str, str]]] = []
        for number, cells in main.rows:
            answers, meta = self.answers(cells)
            submissions.append((number, answers, meta))
            for key in self.row_keys(main, cells):
                records[(main.name, key)] = answers
            origins[id(answers)] = (main.name, number)
        self.attach_repeats(repeat_tables, records, origins)
        for number, answers, meta in submissions:
            self.add(main, number, answers, meta, origins)
        return self.result

    def row_keys(self, table: _Table, cells: Mapping[str, str]) -> list[str]:
        keys = []
        if cells.get("_index"):
            keys.append(f"index:{cells['_index']}")
        if cells.get("KEY"):
            keys.append(f"key:{cells['KEY']}")
        return keys

    def attach_repeats(
        self, tables: list[_Table], records: dict[tuple[str, str], dict[str, Any]], origins: dict[int, tuple[str, int]]
    ) -> None:
        main_name = self.tables[0].name
        pending: list[tuple[_Table, Field]] = []
        for table in tables:
            repeat = self.repeat_for(table)
            if repeat is None:
                self.result.warnings.append(f"sheet {table.name} is not a repeat of this form: ignored")
                continue
            self.warn_unknown(table)
            pending.append((table, repeat))
        # Parents before children: a nested repeat's sheet may come before its parent's.
        pending.sort(key=lambda pair: len(pair[1].repeats))
        for table, repeat in pending:
            for number, cells in table.rows:
                answers, _ = self.answers(cells)
                parent = self.parent_of(table, cells, main_name)
                holder = records.get(parent) if parent else None
                if holder is None:
                    link = cells.get("_parent_index") or cells.get("PARENT_KEY") or "nothing"
                    self.result.errors.append(
                        RowError(table.name, number, "", f"its parent ({link}) is not in the file")
                    )
                    continue
                holder.setdefault(repeat.name, []).append(answers)
                origins[id(answers)] = (table.name, number)
                for key in self.row_keys(table, cells):
                    records[(table.name, key)] = answers

    def parent_of(self, table: _Table, cells: Mapping[str, str], main_name: str) -> tuple[str, str] | None:
        if cells.get("PARENT_KEY"):
            parent_key = cells["PARENT_KEY"]
            if "/" not in parent_key.removeprefix("uuid:"):
                return (main_name, f"key:{parent_key}")
            last = parent_key.rsplit("/", 1)[-1]
            for other in self.tables[1:]:
                repeat = self.repeat_for(other)
                if repeat is not None and last.startswith(f"{repeat.name}["):
                    return (other.name, f"key:{parent_key}")
            return None
        if cells.get("_parent_index"):
            parent_table = cells.get("_parent_table_name") or main_name
            names = {table.name for table in self.tables}
            if parent_table not in names:
                parent_table = main_name if parent_table[:31] not in names else parent_table[:31]
            return (parent_table, f"index:{cells['_parent_index']}")
        return None

    # Submissions -------------------------------------------------------------------------------------------

    def add(
        self,
        table: _Table,
        number: int,
        answers: dict[str, Any],
        meta: dict[str, str],
        origins: dict[int, tuple[str, int]],
    ) -> None:
        instance_id = _strip_uuid(
            meta.get("_uuid")
            or meta.get("meta/instanceID")
            or meta.get("meta-instanceID")
            or meta.get("KEY")
            or meta.get("instanceID")
            or ""
        )
        key = _strip_uuid(meta.get("meta/rootUuid") or meta.get("meta-rootUuid") or "") or instance_id
        if not key:
            self.result.errors.append(
                RowError(
                    table.name,
                    number,
                    "",
                    "no submission ID (_uuid, meta/instanceID or KEY): without one a second import would make it twice",
                )
            )
            return
        if self.rejected(meta) and not self.include_rejected:
            self.result.skipped += 1
            return
        previous = self.result.submissions.get(key)
        if previous is not None:
            self.result.warnings.append(
                f"sheet {table.name} row {number} is the same submission as row "
                f"{previous.row} ({key}): the later row is kept"
            )
        evaluation = evaluate(self.form, answers, today=self.today)
        for error in evaluation.errors:
            sheet, row = self.origin(error.path, answers, origins, (table.name, number))
            self.result.errors.append(
                RowError(sheet, row, error.path, error.message(default_language=self.form.default_language))
            )
        self.result.submissions[key] = ImportedSubmission(
            key=key,
            instance_id=instance_id,
            sheet=table.name,
            row=number,
            answers=answers,
            evaluation=evaluation,
            meta=meta,
            form_version=meta.get("FormVersion") or self.form.version,
            fingerprint=fingerprint(evaluation.values),
        )

    @staticmethod
    def origin(
        path: str, answers: dict[str, Any], origins: dict[int, tuple[str, int]], default: tuple[str, int]
    ) -> tuple[str, int]:
        """The sheet and row an answer path came from (a repeat's own sheet for an answer in an instance)."""
        found = default
        scope: Any = answers
        for part in path.split(".")[:-1]:
            match = re.fullmatch(r"(.+)\[(\d+)\]", part)
            if not match or not isinstance(scope, Mapping):
                break
            instances = scope.get(match.group(1))
            index = int(match.group(2))
            if not isinstance(instances, list) or not 1 <= index <= len(instances):
                break
            scope = instances[index - 1]
            found = origins.get(id(scope), found)
        return found
