"""The violation registry of an operation: categories with their evidence checklists, recognised events, and
verification sources imported from the files commissions and NGOs send.

An import reads the whole file first and stores nothing unless every row is good: the errors name the row and
the field and say what is wrong (an empty file, an unreadable encoding, a date where a year belongs, markup in a
name, a cell a spreadsheet would run as a formula, an unknown P-code or category).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.claims.access import MANAGE, may_manage_registry
from passage.claims.models import (
    EvidenceRequirement,
    RecognitionBasis,
    VerificationEntry,
    VerificationSource,
    ViolationCategory,
    ViolationEvent,
)
from passage.core import audit
from passage.core.models import Operation, User
from passage.registry.models import AdminArea, Group
from passage.registry.tabular import TableError, read_table

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def _require(user: User | None, operation: Operation | Any) -> None:
    if user is not None and not may_manage_registry(user, operation):
        raise PermissionDenied(MANAGE)


# --- categories ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequirementInput:
    """A line of a category's evidence checklist."""

    code: str
    label: str
    document_kind: str = ""
    source_match: bool = False
    required: bool = True


def _unknown_pcodes(pcodes: Iterable[str]) -> list[str]:
    wanted = sorted({code.strip() for code in pcodes if code.strip()})
    known = set(AdminArea.objects.filter(pcode__in=wanted).values_list("pcode", flat=True))
    return [code for code in wanted if code not in known]


@transaction.atomic
def create_category(
    *,
    operation: Operation,
    acting_user: User | None,
    code: str,
    name: str,
    legal_basis: str = "",
    recognised_from: dt.date | None = None,
    recognised_to: dt.date | None = None,
    places: Sequence[str] = (),
    recognition_basis: str = RecognitionBasis.INDIVIDUAL,
    checklist: Sequence[RequirementInput] = (),
) -> ViolationCategory:
    """A category of violation the state recognises, with the evidence its claims need."""
    _require(acting_user, operation)
    code, name = (code or "").strip().lower(), (name or "").strip()
    errors: dict[str, str] = {}
    if not CODE.match(code):
        errors["code"] = _("Use lower-case letters, digits, - and _ (at most 40).")
    elif ViolationCategory.objects.filter(operation=operation, code=code).exists():
        errors["code"] = _("This operation has a category %(code)s already.") % {"code": code}
    if not name:
        errors["name"] = _("Name the category.")
    if recognised_from and recognised_to and recognised_to < recognised_from:
        errors["recognised_to"] = _("The period ends before it starts.")
    if recognition_basis not in RecognitionBasis.values:
        errors["recognition_basis"] = _("Recognition is individual or collective.")
    unknown = _unknown_pcodes(places)
    if unknown:
        errors["places"] = _("Unknown P-codes: %(codes)s.") % {"codes": ", ".join(unknown)}
    seen: set[str] = set()
    for position, line in enumerate(checklist, start=1):
        label = f"checklist[{position}]"
        if not CODE.match(line.code or ""):
            errors[label] = _("Give the evidence a code (lower-case letters, digits, - and _).")
        elif line.code in seen:
            errors[label] = _("%(code)s is on the checklist twice.") % {"code": line.code}
        elif not (line.label or "").strip():
            errors[label] = _("Say what the evidence is.")
        elif not line.document_kind and not line.source_match:
            errors[label] = _("Say which kind of document, or a verification list entry, meets it.")
        seen.add(line.code)
    if errors:
        raise ValidationError(errors)
    category = ViolationCategory.objects.create(
        operation=operation,
        code=code,
        name=name,
        legal_basis=(legal_basis or "").strip(),
        recognised_from=recognised_from,
        recognised_to=recognised_to,
        places=sorted({code.strip() for code in places if code.strip()}),
        recognition_basis=recognition_basis,
        created_by=acting_user,
    )
    EvidenceRequirement.objects.bulk_create(
        EvidenceRequirement(
            category=category,
            code=line.code,
            label=line.label.strip()[:200],
            document_kind=line.document_kind,
            source_match=line.source_match,
            required=line.required,
            position=position,
        )
        for position, line in enumerate(checklist, start=1)
    )
    audit.record(
        acting_user,
        "violation.category_created",
        category,
        changes={
            "code": [None, code],
            "recognition_basis": [None, recognition_basis],
            "checklist": [None, [line.code for line in checklist]],
        },
    )
    return category


@transaction.atomic
def record_event(
    *,
    category: ViolationCategory,
    acting_user: User | None,
    name: str,
    occurred_from: dt.date,
    occurred_to: dt.date | None = None,
    place: AdminArea | None = None,
    place_description: str = "",
    groups: Sequence[Group] = (),
    description: str = "",
) -> ViolationEvent:
    """A recognised event of a category: when, where, which communities or groups it struck."""
    _require(acting_user, category.operation)
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = _("Name the event.")
    if occurred_to and occurred_to < occurred_from:
        errors["occurred_to"] = _("The last day comes before the first.")
    foreign = [group.name for group in groups if group.operation_id != category.operation_id]
    if foreign:
        errors["groups"] = _("These groups belong to another operation: %(names)s.") % {"names": ", ".join(foreign)}
    if errors:
        raise ValidationError(errors)
    event = ViolationEvent.objects.create(
        operation_id=category.operation_id,
        category=category,
        name=name.strip()[:200],
        occurred_from=occurred_from,
        occurred_to=occurred_to,
        place=place,
        place_description=(place_description or "").strip()[:300],
        description=(description or "").strip(),
        created_by=acting_user,
    )
    if groups:
        event.groups.set(groups)
    audit.record(
        acting_user,
        "violation.event_recorded",
        event,
        changes={"category": [None, category.code], "groups": [None, len(groups)]},
        operation_id=category.operation_id,
    )
    return event


# --- verification sources -----------------------------------------------------------------------------------

NAME_FIELDS = ("given_name", "father_name", "grandfather_name", "family_name")
COLUMNS = (*NAME_FIELDS, "birth_year", "place", "category", "reference")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MARKUP = re.compile(r"<[^>]*>|[<>]|&#?\w+;")
MAX_ERRORS = 200


@dataclass(frozen=True)
class RowError:
    row: int  # as in the spreadsheet (the header is row 1); 0: the file itself
    field: str
    message: str

    def __str__(self) -> str:
        where = _("Row %(row)s") % {"row": self.row} if self.row else _("The file")
        return f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class SourceRejected(ValidationError):
    """The file was not imported: nothing was stored. `row_errors` names each row and field."""

    def __init__(self, errors: list[RowError]) -> None:
        self.row_errors = errors
        super().__init__([str(error) for error in errors])


def _check_text(row: int, field: str, value: str, errors: list[RowError]) -> None:
    if value.startswith(FORMULA_START):
        errors.append(
            RowError(
                row,
                field,
                _("%(value)s starts with %(char)s, which a spreadsheet runs as a formula.")
                % {"value": value[:40], "char": repr(value[0])},
            )
        )
    elif MARKUP.search(value):
        errors.append(RowError(row, field, _("contains markup (HTML): write the text alone.")))
    elif any(ord(char) < 32 for char in value):
        errors.append(RowError(row, field, _("contains control characters.")))


def _year(row: int, value: str, errors: list[RowError]) -> int | None:
    if not value:
        return None
    if not re.fullmatch(r"\d{4}", value):
        errors.append(
            RowError(
                row,
                "birth_year",
                _("%(value)s is not a year: write the year alone, e.g. 1985.") % {"value": value[:40]},
            )
        )
        return None
    year = int(value)
    if not 1880 <= year <= timezone.localdate().year:
        errors.append(RowError(row, "birth_year", _("%(year)s is not a possible year of birth.") % {"year": year}))
        return None
    return year


def read_entries(path: Path, *, operation: Operation) -> tuple[list[VerificationEntry], list[RowError]]:
    """The file's rows as unsaved entries, and every error found (the file is read to its end)."""
    errors: list[RowError] = []
    try:
        table = read_table(path)
        header = [name.strip().lower() for name in table.header]
        if not any(name in header for name in NAME_FIELDS):
            return [], [
                RowError(
                    0,
                    "",
                    _("No name column: the header needs at least %(columns)s.") % {"columns": " or ".join(NAME_FIELDS)},
                )
            ]
        categories = dict(ViolationCategory.objects.filter(operation=operation).values_list("code", "id"))
        rows: list[tuple[int, dict[str, str]]] = []
        pcodes: set[str] = set()
        for number, raw in table.rows:
            values = {name.strip().lower(): value for name, value in raw.items()}
            rows.append((number, values))
            if values.get("place"):
                pcodes.add(values["place"])
    except TableError as exc:
        return [], [RowError(0, "", str(exc))]
    if not rows:
        return [], [RowError(0, "", _("The file has a header but no rows."))]
    known_places = set(AdminArea.objects.filter(pcode__in=sorted(pcodes)).values_list("pcode", flat=True))
    entries: list[VerificationEntry] = []
    for number, values in rows:
        before = len(errors)
        for field in (*NAME_FIELDS, "place", "category", "reference"):
            if values.get(field):
                _check_text(number, field, values[field], errors)
        if not any(values.get(field) for field in NAME_FIELDS):
            errors.append(RowError(number, "family_name", _("No name on this row.")))
        for field in NAME_FIELDS:
            if len(values.get(field, "")) > 100:
                errors.append(RowError(number, field, _("longer than 100 characters.")))
        year = _year(number, values.get("birth_year", ""), errors)
        place = values.get("place", "")
        if place and place not in known_places and len(errors) == before:
            errors.append(RowError(number, "place", _("%(code)s is not a known P-code.") % {"code": place[:32]}))
        category_code = values.get("category", "").lower()
        if category_code and category_code not in categories and len(errors) == before:
            errors.append(
                RowError(
                    number,
                    "category",
                    _("%(code)s is not a category of this operation.") % {"code": category_code[:40]},
                )
            )
        if len(values.get("reference", "")) > 80:
            errors.append(RowError(number, "reference", _("longer than 80 characters.")))
        if len(errors) >= MAX_ERRORS:
            errors.append(RowError(0, "", _("Too many errors: the rest of the file was not checked.")))
            break
        if len(errors) == before:
            entries.append(
                VerificationEntry(
                    row=number,
                    **{field: values.get(field, "") for field in NAME_FIELDS},
                    birth_year=year,
                    place=place,
                    category_id=categories.get(category_code) if category_code else None,
                    reference=values.get("reference", ""),
                )
            )
    return entries, errors


@transaction.atomic
def import_verification_source(
    *,
    operation: Operation,
    acting_user: User | None,
    name: str,
    provider: str,
    received_on: dt.date,
    path: Path,
    filename: str = "",
) -> VerificationSource:
    """A list from a commission or an NGO, read from CSV or XLSX (columns: given_name, father_name,
    grandfather_name, family_name, birth_year, place, category, reference). All or nothing: any bad row and
    SourceRejected lists every error, and nothing is stored."""
    _require(acting_user, operation)
    errors: list[RowError] = []
    if not (name or "").strip():
        errors.append(RowError(0, "name", _("Name the list.")))
    if not (provider or "").strip():
        errors.append(RowError(0, "provider", _("Say who provided the list.")))
    if received_on > timezone.localdate():
        errors.append(RowError(0, "received_on", _("A list cannot be received in the future.")))
    entries, row_errors = read_entries(path, operation=operation)
    errors.extend(row_errors)
    if errors:
        raise SourceRejected(errors)
    source = VerificationSource.objects.create(
        operation=operation,
        name=name.strip()[:200],
        provider=provider.strip()[:200],
        received_on=received_on,
        filename=(filename or path.name)[:255],
        entry_count=len(entries),
        imported_at=timezone.now(),
        imported_by=acting_user,
    )
    for entry in entries:
        entry.source = source
    VerificationEntry.objects.bulk_create(entries, batch_size=2000)
    audit.record(
        acting_user,
        "violation.source_imported",
        source,
        changes={"entries": [None, len(entries)], "provider": [None, source.provider]},
        operation_id=operation.pk,
    )
    return source
