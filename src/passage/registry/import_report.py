"""The error workbook of a registration import: what a clerk opens to fix a file before sending it again.

The first sheet holds every staged row with its values under the file's own column names, in the file's
order (columns that went to no registry field were not kept, so they are not there), then the row's outcome
and its problems in words. A cell with a problem is filled red and carries a comment naming the problem.
The second sheet sums up: the file, the counts by outcome, where each column went, problems by field.

The workbook holds personal data: making it is audited. It is written in openpyxl's write-only mode to a
temporary file, rows read from the database in chunks, so a million-row import never sits in memory
(only the comments of the cells with problems do, until the file is saved). Values that a spreadsheet
would run as formulas are neutralised as in every export (exports.neutralise).
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.core import audit
from passage.core.models import User
from passage.registry.exports import neutralise
from passage.registry.import_queries import field_label, file_columns, outcome_counts, staged_rows
from passage.registry.models import RegistrationImport, RowOutcome

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_PER_SHEET = 1_000_000  # Excel stops at 1,048,576 rows; a bigger import continues on another sheet
PROBLEM_FILL = "FFC7CE"
CHUNK = 2000


def error_report_filename(registration_import: RegistrationImport) -> str:
    return f"{Path(registration_import.filename).stem or 'import'}-errors.xlsx"


def error_report(*, acting_user: User, registration_import: RegistrationImport) -> IO[bytes]:
    """The error workbook as an open temporary file (deleted when closed), positioned at its start.
    The caller has fetched the import through import_queries.get_import_for_user."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (handed to the response, which closes it)
    try:
        rows = write_error_workbook(registration_import, handle)
    except BaseException:
        handle.close()
        raise
    with transaction.atomic():
        audit.record(
            acting_user,
            "registration_import.error_report",
            registration_import,
            changes={"rows": [None, rows], "rows_with_errors": [None, registration_import.rows_invalid]},
        )
    handle.seek(0)
    return handle


def _layout(registration_import: RegistrationImport, columns: list[str]) -> list[tuple[str, str]]:
    """(column, field) for every mapped column, in the file's order."""
    mapping: dict[str, str] = dict(registration_import.mapping or {})
    ordered = [(column, mapping[column]) for column in columns if column in mapping]
    return ordered + [(column, field) for column, field in mapping.items() if column not in columns]


def write_error_workbook(registration_import: RegistrationImport, out: IO[bytes]) -> int:
    """Write the workbook to `out`; return the number of rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    columns = file_columns(registration_import)
    layout = _layout(registration_import, columns)
    fields = {field for _column, field in layout}
    outcome_labels = dict(RowOutcome.choices)
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=PROBLEM_FILL)
    header_texts = [_("Row"), *(column for column, _field in layout), _("Outcome"), _("Problems")]

    def new_sheet(number: int) -> Any:
        title = _("Rows") if number == 1 else f"{_('Rows')} ({number})"
        sheet = workbook.create_sheet(title[:31])
        sheet.freeze_panes = "B2"
        header = []
        for text in header_texts:
            cell = WriteOnlyCell(sheet, value=neutralise(text))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        return sheet

    sheet, sheets, on_sheet = new_sheet(1), 1, 0
    problems_by_field: Counter[str] = Counter()
    written = 0
    rows = staged_rows(registration_import).only("row_number", "sealed_values", "errors", "outcome")
    for row in rows.iterator(chunk_size=CHUNK):
        if on_sheet == ROWS_PER_SHEET:
            sheets += 1
            sheet, on_sheet = new_sheet(sheets), 0
        values = row.values
        messages: dict[str, list[str]] = {}
        for error in row.errors or []:
            field = str(error.get("field", ""))
            messages.setdefault(field, []).append(str(error.get("message", "")))
        for field in messages:
            problems_by_field[field] += 1
        cells: list[Any] = [row.row_number]
        for _column, field in layout:
            cell = WriteOnlyCell(sheet, value=neutralise(values.get(field, "")))
            if field in messages:
                cell.fill = fill
                cell.comment = Comment("\n".join(messages[field]), "Passage", width=320, height=110)
            cells.append(cell)
        cells.append(str(outcome_labels.get(row.outcome, row.outcome)))
        cells.append(
            neutralise(
                "; ".join(
                    f"{message}" if field in fields else f"{field_label(field)}: {message}"
                    for field, texts in messages.items()
                    for message in texts
                )
            )
        )
        sheet.append(cells)
        on_sheet += 1
        written += 1
    summary = workbook.create_sheet(_("Summary"))
    _write_summary(summary, registration_import, columns, layout, problems_by_field, bold)
    workbook.save(out)
    return written


def _write_summary(
    sheet: Any,
    registration_import: RegistrationImport,
    columns: list[str],
    layout: list[tuple[str, str]],
    problems_by_field: Counter[str],
    bold: Any,
) -> None:
    from openpyxl.cell import WriteOnlyCell

    def title(text: str) -> list[Any]:
        cell = WriteOnlyCell(sheet, value=neutralise(text))
        cell.font = bold
        return [cell]

    counts = outcome_counts(registration_import)
    labels = dict(RowOutcome.choices)
    created = timezone.localtime(registration_import.created_at).strftime("%Y-%m-%d %H:%M")
    sheet.append(title(_("Registration import")))
    sheet.append([_("File"), neutralise(registration_import.filename)])
    sheet.append([_("Uploaded by"), neutralise(str(registration_import.created_by or _("system")))])
    sheet.append([_("Uploaded"), created])
    sheet.append([_("State"), str(registration_import.get_state_display())])
    if registration_import.problem:
        sheet.append([_("Note"), neutralise(registration_import.problem)])
    sheet.append([])
    sheet.append(title(_("Rows")))
    sheet.append([_("All rows"), registration_import.rows_total])
    for outcome in (RowOutcome.NEW, RowOutcome.UPDATE, RowOutcome.UNCHANGED, RowOutcome.INVALID):
        sheet.append([str(labels[outcome]), counts[outcome]])
    sheet.append([])
    sheet.append(title(_("Columns")))
    for column, field in layout:
        sheet.append([neutralise(column), field_label(field)])
    ignored = [column for column in columns if column not in registration_import.mapping]
    for column in ignored:
        sheet.append([neutralise(column), _("(not imported)")])
    sheet.append([])
    sheet.append(title(_("Rows with a problem, by field")))
    if not problems_by_field:
        sheet.append([_("No problems were found.")])
    for field, count in problems_by_field.most_common():
        sheet.append([field_label(field), count])
