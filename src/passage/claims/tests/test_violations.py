"""The violation registry: categories with their checklists, events, verification lists read from the files
commissions and NGOs send — all or nothing, with each bad row and field named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from openpyxl import Workbook

from passage.claims import actions
from passage.claims.demo import create_violation_categories
from passage.claims.models import VerificationEntry, VerificationSource, ViolationCategory
from passage.claims.queries import categories_of, entries_naming
from passage.claims.violation_actions import (
    RequirementInput,
    SourceRejected,
    create_category,
    import_verification_source,
    record_event,
)
from passage.core.models import AuditEvent
from passage.registry.models import AdminArea

GOOD_CSV = (
    "given_name,father_name,family_name,birth_year,place,category,reference\n"
    "Nadia,Murad,Basee,1993,IQ01,forced-labour,C-1\n"
    "Layla,Khalil,Taha,,,,C-2\n"
)


def _csv(tmp_path: Path, text: str | bytes, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _import(operation, user, path):
    return import_verification_source(
        operation=operation,
        acting_user=user,
        name="Commission list 1",
        provider="Survivors' commission",
        received_on=dt.date(2025, 5, 1),
        path=path,
    )


@pytest.fixture
def area(db) -> AdminArea:
    iraq = AdminArea.objects.create(pcode="IQ", country="IQ", level=0, name="Iraq")
    return AdminArea.objects.create(pcode="IQ01", country="IQ", level=1, name="Ninewa", parent=iraq)


def test_claims_officer_imports_a_verification_list(tmp_path, operation, claims_officer, category, area):
    source = _import(operation, claims_officer, _csv(tmp_path, GOOD_CSV))
    assert source.entry_count == 2
    nadia = source.entries.get(row=2)
    assert (nadia.given_name, nadia.family_name, nadia.birth_year) == ("Nadia", "Basee", 1993)
    assert nadia.category == category and nadia.place == "IQ01"
    assert source.entries.get(row=3).category is None
    assert AuditEvent.objects.filter(action="violation.source_imported", object_id=str(source.pk)).exists()
    assert [entry.row for entry in entries_naming(operation, family_name="basee")] == [2]


def test_an_xlsx_list_is_read_too(tmp_path, operation, claims_officer):
    book = Workbook()
    sheet = book.active
    sheet.append(["family_name", "given_name", "birth_year"])
    sheet.append(["Basee", "Nadia", 1993])
    path = tmp_path / "list.xlsx"
    book.save(path)
    source = _import(operation, claims_officer, path)
    assert source.entries.get().birth_year == 1993


def _rejected(tmp_path, operation, user, content, name="list.csv") -> list[str]:
    with pytest.raises(SourceRejected) as rejected:
        _import(operation, user, _csv(tmp_path, content, name))
    assert not VerificationSource.objects.exists() and not VerificationEntry.objects.exists()
    return [str(error) for error in rejected.value.row_errors]


def test_an_empty_file_is_refused(tmp_path, operation, claims_officer):
    assert _rejected(tmp_path, operation, claims_officer, b"") == ["The file: The file is empty."]
    assert _rejected(tmp_path, operation, claims_officer, "family_name,given_name\n") == [
        "The file: The file has a header but no rows."
    ]


def test_a_file_in_an_unreadable_encoding_is_refused(tmp_path, operation, claims_officer):
    # A first megabyte of good UTF-8, then a byte UTF-8 does not have: found while reading, named near its row.
    filler = "".join(f"Name{n},Family{n},1980\n" for n in range(60000))
    content = ("given_name,family_name,birth_year\n" + filler).encode() + b"Bad\xff\xfe,Row,1980\n"
    errors = _rejected(tmp_path, operation, claims_officer, content)
    assert len(errors) == 1 and "not valid utf-8" in errors[0] and "Near row" in errors[0]


def test_bad_rows_are_named_by_row_and_field_and_nothing_is_stored(tmp_path, operation, claims_officer, area):
    content = (
        "given_name,family_name,birth_year,place,category,reference\n"
        "Nadia,Basee,00/00/1985,,,\n"  # row 2: a date where the year belongs
        "<b>Layla</b>,Taha,1990,,,\n"  # row 3: markup in a name
        '=HYPERLINK("http://x"),Taha,1990,,,\n'  # row 4: a formula
        "Samir,Khalil,1990,IQ99,torture,@SUM(A1)\n"  # row 5: unknown P-code... and a formula in the reference
        "Good,Row,1990,IQ01,,R-6\n"  # row 6: fine
        ",,1990,,,R-7\n"  # row 7: no name
        "Old,Man,1700,,,\n"  # row 8: an impossible year
    )
    errors = _rejected(tmp_path, operation, claims_officer, content)
    assert errors == [
        "Row 2, birth_year: 00/00/1985 is not a year: write the year alone, e.g. 1985.",
        "Row 3, given_name: contains markup (HTML): write the text alone.",
        "Row 4, given_name: =HYPERLINK(\"http://x\") starts with '=', which a spreadsheet runs as a formula.",
        "Row 5, reference: @SUM(A1) starts with '@', which a spreadsheet runs as a formula.",
        "Row 7, family_name: No name on this row.",
        "Row 8, birth_year: 1700 is not a possible year of birth.",
    ]


def test_unknown_places_and_categories_are_named(tmp_path, operation, claims_officer, area):
    content = "given_name,family_name,place,category\nSamir,Khalil,IQ99,\nNoor,Ali,IQ01,torture\n"
    assert _rejected(tmp_path, operation, claims_officer, content) == [
        "Row 2, place: IQ99 is not a known P-code.",
        "Row 3, category: torture is not a category of this operation.",
    ]


def test_a_file_without_a_name_column_or_of_another_format_is_refused(tmp_path, operation, claims_officer):
    assert "No name column" in _rejected(tmp_path, operation, claims_officer, "year,place\n1990,IQ01\n")[0]
    assert "not a format" in _rejected(tmp_path, operation, claims_officer, b"%PDF-1.4", name="list.pdf")[0]


def test_only_claims_officers_and_administrators_keep_the_registry(tmp_path, operation, caseworker, outsider):
    for user in (caseworker, outsider):
        with pytest.raises(PermissionDenied):
            _import(operation, user, _csv(tmp_path, GOOD_CSV))
        with pytest.raises(PermissionDenied):
            create_category(operation=operation, acting_user=user, code="torture", name="Torture")


def test_a_category_states_its_checklist_period_and_places(operation, administrator, area):
    category = create_category(
        operation=operation,
        acting_user=administrator,
        code="sexual-violence",
        name="Sexual violence",
        recognised_from=dt.date(2014, 8, 3),
        recognised_to=dt.date(2017, 12, 31),
        places=["IQ01"],
        recognition_basis="individual",
        checklist=[
            RequirementInput("identity", "Identity document", document_kind="identity_document"),
            RequirementInput("listed", "On a survivors' register", source_match=True, required=False),
        ],
    )
    assert [(line.code, line.required) for line in category.checklist.all()] == [
        ("identity", True),
        ("listed", False),
    ]
    with pytest.raises(ValidationError) as refused:
        create_category(
            operation=operation,
            acting_user=administrator,
            code="sexual-violence",
            name="",
            recognised_from=dt.date(2018, 1, 1),
            recognised_to=dt.date(2017, 1, 1),
            places=["IQ77"],
            checklist=[RequirementInput("x", "Something")],
        )
    assert set(refused.value.message_dict) == {"code", "name", "recognised_to", "places", "checklist[1]"}
    assert "IQ77" in refused.value.message_dict["places"][0]


def test_an_event_names_the_communities_affected(operation, administrator, category, area):
    from passage.core.tests.factories import OfficeFactory
    from passage.registry.group_actions import create_group

    office = OfficeFactory(operation=operation)
    kocho = create_group(
        acting_user=None, operation=operation, office=office, kind="community", name="Kocho", admin_area=area
    )
    event = record_event(
        category=category,
        acting_user=administrator,
        name="Kocho, August 2014",
        occurred_from=dt.date(2014, 8, 15),
        place=area,
        groups=[kocho],
    )
    assert list(event.groups.all()) == [kocho]
    with pytest.raises(ValidationError):
        record_event(
            category=category,
            acting_user=administrator,
            name="Backwards",
            occurred_from=dt.date(2014, 8, 15),
            occurred_to=dt.date(2014, 8, 1),
        )


def test_a_claimed_violation_takes_its_events_date_and_place(claim, claims_officer, category, area):
    event = record_event(
        category=category, acting_user=None, name="Sinjar", occurred_from=dt.date(2014, 8, 3), place=area
    )
    violation = actions.add_claimed_violation(claim=claim, category=category, event=event, acting_user=claims_officer)
    assert (violation.occurred_from, violation.place) == (dt.date(2014, 8, 3), area)


def test_a_verification_list_entry_is_evidence(tmp_path, claim, claims_officer, category, area):
    source = _import(claim.operation, claims_officer, _csv(tmp_path, GOOD_CSV))
    violation = actions.add_claimed_violation(claim=claim, category=category, acting_user=claims_officer)
    entry = source.entries.get(row=2)
    evidence = actions.attach_evidence(
        violation=violation,
        requirement=category.checklist.get(code="listed"),
        acting_user=claims_officer,
        source_entry=entry,
    )
    assert evidence.source_entry == entry
    with pytest.raises(ValidationError):  # a line met by documents only
        actions.attach_evidence(
            violation=violation,
            requirement=category.checklist.get(code="proof"),
            acting_user=claims_officer,
            source_entry=entry,
        )


def test_demo_categories_are_created_once(operation):
    made = create_violation_categories(operation=operation)
    assert len(made) == 10
    assert {category.code for category in made} >= {"forced-labour", "torture", "property-loss"}
    collective = ViolationCategory.objects.get(operation=operation, code="forced-displacement")
    assert collective.is_collective
    assert create_violation_categories(operation=operation) == []
    call_command("demo_violation_categories", operation=operation.code)
    assert categories_of(operation).count() == 10
    killing = categories_of(operation).get(code="killing-of-family-member")
    assert "death" in {line.code for line in killing.checklist.all()}
