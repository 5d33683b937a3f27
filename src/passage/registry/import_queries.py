"""The read side of registration imports: which imports and templates a person may see, the staged rows of
one import by outcome (paginated), and the columns of an uploaded file.

Imports hold personal data, so seeing them needs person.register (RegistrationImport.objects.visible_to);
the get_*_for_user functions are the only way an interface fetches one, and answer 404 rather than 403.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from passage.core.access import can
from passage.core.access import fetch_or_404 as _get
from passage.core.models import Operation
from passage.registry.access import mask
from passage.registry.models import ImportState, ImportTemplate, Person, RegistrationImport, RowOutcome, StagedRow
from passage.registry.names import NAME_FIELDS
from passage.registry.sealed_files import read_import_file
from passage.registry.tabular import TableError, read_table

READABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
ROWS_PER_PAGE = 50
RUNNING_STATES = (ImportState.STAGING, ImportState.COMMITTING)


# Access -------------------------------------------------------------------------------------------


def get_import_for_user(user: Any, import_id: Any) -> RegistrationImport:
    """The import if the user may register people in its operation; 404 otherwise (never 403)."""
    found: RegistrationImport = _get(
        RegistrationImport.objects.visible_to(user).select_related(
            "operation", "office", "template", "job", "created_by", "decided_by"
        ),
        import_id,
    )
    if not can(user, "person.register", found):
        raise Http404
    return found


def get_template_for_user(user: Any, template_id: Any) -> ImportTemplate:
    found: ImportTemplate = _get(ImportTemplate.objects.select_related("operation"), template_id)
    if not can(user, "person.register", found):
        raise Http404
    return found


# Lists --------------------------------------------------------------------------------------------


def imports_for(user: Any, operation: Operation) -> QuerySet[RegistrationImport]:
    """The operation's imports the user may see, newest first."""
    return (
        RegistrationImport.objects.visible_to(user)
        .filter(operation=operation)
        .select_related("office", "template", "job", "created_by", "decided_by")
        .order_by("-created_at")
    )


def templates_for(user: Any, operation: Operation) -> QuerySet[ImportTemplate]:
    if not can(user, "person.register", operation):
        return ImportTemplate.objects.none()
    return ImportTemplate.objects.filter(operation=operation).select_related("created_by").order_by("name")


def is_running(registration_import: RegistrationImport) -> bool:
    """Being read and checked, or being added to the registry: its job has not finished yet."""
    job = registration_import.job
    return registration_import.state in RUNNING_STATES and job is not None and not job.is_finished


def outcome_counts(registration_import: RegistrationImport) -> dict[str, int]:
    """Rows by outcome, from the counts staging keeps (no count over a million rows per page view)."""
    return {
        RowOutcome.INVALID: registration_import.rows_invalid,
        RowOutcome.NEW: registration_import.rows_valid,
        RowOutcome.UPDATE: registration_import.rows_update,
        RowOutcome.UNCHANGED: registration_import.rows_already_registered,
    }


# Import fields that hold what the person page masks for roles without need-to-know (phones, document numbers).
SENSITIVE_FIELDS = frozenset({"phone", "document_number"})


def shown_value(field: str, value: Any, *, sensitive: bool) -> Any:
    """A staged value as the reader may see it: masked like on the person page unless they may see it."""
    if sensitive or field not in SENSITIVE_FIELDS or not isinstance(value, str):
        return value
    return mask(value)


# Not an outcome: the new people who look like someone registered or another row (the duplicate check's rows).
LOOK_ALIKES = "duplicates"


def staged_rows(registration_import: RegistrationImport, *, outcome: str = "") -> QuerySet[StagedRow]:
    """The import's staged rows in file order, of one outcome (or the look-alikes) if given."""
    rows = StagedRow.objects.filter(registration_import=registration_import).order_by("row_number")
    if outcome == LOOK_ALIKES:
        rows = rows.filter(duplicate_probability__isnull=False)
    elif outcome:
        rows = rows.filter(outcome=outcome)
    return rows


def resemblances(user: Any, rows: Iterable[StagedRow]) -> dict[int, dict[str, Any]]:
    """Row id -> what the row looks like, for the look-alike rows among `rows`: another row of the file, or a
    registered person named (reference, name) only when the reader may see that person; otherwise
    `person_hidden` says only that it is someone registered outside what they may see."""
    flagged = [row for row in rows if row.duplicate_probability is not None]
    wanted = {row.duplicate_person_id for row in flagged if row.duplicate_person_id}
    people = {
        person.pk: person
        for person in Person.objects.visible_to(user)
        .filter(pk__in=wanted)
        .order_by()
        .only("id", "reference", "operation_id", "office_id", *NAME_FIELDS)
    }
    found: dict[int, dict[str, Any]] = {}
    for row in flagged:
        person = people.get(row.duplicate_person_id) if row.duplicate_person_id else None
        found[row.pk] = {
            "probability": row.duplicate_probability,
            "percent": f"{row.duplicate_probability:.0%}",
            "row": row.duplicate_row,
            "person": person,
            "person_hidden": row.duplicate_person_id is not None and person is None,
        }
    return found


def staged_rows_page(
    registration_import: RegistrationImport, *, outcome: str = "", page: Any = 1, per_page: int = ROWS_PER_PAGE
) -> Page:
    rows = staged_rows(registration_import, outcome=outcome).defer("sealed_record")
    return Paginator(rows, per_page).get_page(page)


# The columns of a file ----------------------------------------------------------------------------


def columns_of(filename: str, content: bytes) -> list[str]:
    """The header of an uploaded file, read by the same reader staging uses (which does not read the rows).

    Raises TableError with a sentence a person can act on when the file is not a table Passage reads."""
    suffix = Path(filename).suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        raise TableError(f"{suffix or 'This file'} is not a format Passage reads: send CSV or XLSX.")
    with tempfile.TemporaryDirectory(prefix="passage-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        return _named(read_table(path).header)


def file_columns(registration_import: RegistrationImport) -> list[str]:
    """The header of the file an import was uploaded with, in the file's order (empty if it cannot be read).
    Blank and repeated names are left out: their cells cannot be told apart."""
    try:
        return _named(read_import_file(registration_import).header)
    except (TableError, OSError, ValueError, NotImplementedError):
        return []


def _named(header: list[str]) -> list[str]:
    seen: set[str] = set()
    columns = []
    for name in header:
        if name and name not in seen:
            seen.add(name)
            columns.append(name)
    if not columns:
        raise TableError("The first row of the file has no column names.")
    return columns


# The registry fields a column can go to, in the words of the registration form ---------------------

FIELD_LABELS: dict[str, Any] = {
    "household_id": _("Household number"),
    "relationship": _("Relationship to the head"),
    "given_name": _("Given name"),
    "father_name": _("Father's name"),
    "grandfather_name": _("Grandfather's name"),
    "family_name": _("Family name"),
    "full_name": _("Full name as written"),
    "given_name_latin": _("Given name (Latin letters)"),
    "family_name_latin": _("Family name (Latin letters)"),
    "full_name_latin": _("Full name (Latin letters)"),
    "sex": _("Sex"),
    "birth_date": _("Date of birth"),
    "age": _("Age in years"),
    "phone": _("Phone"),
    "document_type": _("Identity document type"),
    "document_number": _("Identity document number"),
    "document_country": _("Document issued by (country)"),
    "nationality": _("Nationality"),
    "consent": _("Consent to registration"),
    "consent_method": _("How consent was given"),
    "source_uid": _("Submission ID (Kobo/ODK uuid)"),
}


def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def field_choices() -> list[tuple[str, str]]:
    """Every registry field a column can go to, in the engine's order."""
    from passage.registry.importing import FIELDS

    return [(field, field_label(field)) for field in FIELDS]
