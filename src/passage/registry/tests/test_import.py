"""Registration import: a Kobo-style export with errors is staged and checked; fixed, approved and committed;
the same file imported again adds nobody."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from passage import cli
from passage.core.models import AuditEvent
from passage.core.tests.factories import member_of
from passage.registry.import_actions import (
    approve_registration_import,
    reject_registration_import,
    save_import_template,
    stage_registration_import,
    upload_registration_import,
)
from passage.registry.importing import auto_map, parse_date
from passage.registry.models import Household, Person

HEADER = (
    "_uuid,group_hh/household_id,group_hh/member/relationship,group_hh/member/given_name,"
    "group_hh/member/family_name,group_hh/member/sex,group_hh/member/dob,group_hh/member/phone,"
    "group_hh/member/consent,notes\n"
)
GOOD = [
    "u-1,HH1,head,محمد,الجبوري,ذكر,00/00/1985,0770 123 4567,نعم,keep",
    "u-2,HH1,spouse,Fatima,Hassan,F,1990-02,,yes,",
    "u-3,HH2,head,Amina,Yusuf,female,12/07/1979,+252 61 555 1234,yes,",
]
BAD = [
    "u-4,HH3,head,Omar,Salih,X,31/02/1980,12,yes,",  # unknown sex, impossible date, short phone
    "u-5,HH3,son,Ali,Salih,M,2010,,no,",  # refused consent
    'u-6,HH4,head,<b>Huda</b>,=HYPERLINK("x"),F,,,yes,',  # HTML and a formula: stored as text
]


def _file(rows: list[str]) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture
def clerk(operation):
    return member_of(operation, "registration_clerk")


def _stage(clerk, operation, content: bytes):
    upload = upload_registration_import(acting_user=clerk, operation=operation, filename="kobo.csv", content=content)
    return stage_registration_import(registration_import=upload)


def test_kobo_group_paths_map_by_their_last_part():
    mapping = auto_map(HEADER.strip().split(","))
    assert mapping["_uuid"] == "source_uid"
    assert mapping["group_hh/member/given_name"] == "given_name"
    assert mapping["group_hh/member/dob"] == "birth_date"
    assert "notes" not in mapping


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1985-03-17", (dt.date(1985, 3, 17), "day")),
        ("17/03/1985", (dt.date(1985, 3, 17), "day")),
        ("00/00/1985", (dt.date(1985, 1, 1), "year")),
        ("00/03/1985", (dt.date(1985, 3, 1), "month")),
        ("1985-03", (dt.date(1985, 3, 1), "month")),
        ("1985", (dt.date(1985, 1, 1), "year")),
    ],
)
def test_dates_as_people_write_them(text, expected):
    assert parse_date(text) == expected


def test_errors_are_staged_by_row_and_field_and_nothing_enters_the_registry(clerk, operation):
    staged = _stage(clerk, operation, _file(GOOD + BAD))
    assert (staged.rows_total, staged.rows_valid, staged.rows_invalid) == (6, 4, 2)
    errors = {(row.row_number, e["field"]) for row in staged.rows.all() for e in row.errors}
    assert {(5, "sex"), (5, "birth_date"), (6, "consent")} <= errors
    assert not Person.objects.exists()


def test_approval_registers_only_sound_households_and_keeps_text_as_text(clerk, operation):
    staged = _stage(clerk, operation, _file(GOOD + BAD))
    approve_registration_import(registration_import=staged, acting_user=clerk)
    assert Household.objects.count() == 3  # HH1, HH2, HH4; HH3 has errors and is left out whole
    head = Person.objects.get(given_name="محمد")
    assert (head.birth_date, head.birth_date_precision) == (dt.date(1985, 1, 1), "year")
    assert head.phones.get().number == "+9647701234567"
    assert Person.objects.get(family_name__startswith="=").given_name == "<b>Huda</b>"
    assert not Person.objects.filter(given_name__in=["Omar", "Ali"]).exists()
    assert AuditEvent.objects.filter(action="registration_import.approve").exists()


def test_the_same_file_again_adds_nobody(clerk, operation):
    approve_registration_import(registration_import=_stage(clerk, operation, _file(GOOD)), acting_user=clerk)
    before = Person.objects.count()
    again = _stage(clerk, operation, _file(GOOD))
    assert again.rows_already_registered == 3 and again.rows_valid == 0
    approve_registration_import(registration_import=again, acting_user=clerk)
    assert Person.objects.count() == before


def test_a_fixed_file_adds_the_households_that_were_wrong(clerk, operation):
    approve_registration_import(registration_import=_stage(clerk, operation, _file(GOOD + BAD)), acting_user=clerk)
    fixed = [row.replace(",X,31/02/1980,12,", ",M,28/02/1980,07701112222,").replace(",no,", ",yes,") for row in BAD[:2]]
    second = _stage(clerk, operation, _file(GOOD + fixed))
    assert second.rows_invalid == 0 and second.rows_already_registered == 3 and second.rows_valid == 2
    approve_registration_import(registration_import=second, acting_user=clerk)
    assert Person.objects.filter(family_name="Salih").count() == 2


def test_only_registering_roles_import_and_approval_happens_once(operation, clerk, persona):
    with pytest.raises(PermissionDenied):
        upload_registration_import(
            acting_user=persona("finance_officer"), operation=operation, filename="a.csv", content=_file(GOOD)
        )
    staged = _stage(clerk, operation, _file(GOOD))
    reject_registration_import(registration_import=staged, acting_user=clerk, reason="wrong district")
    with pytest.raises(ValidationError):
        approve_registration_import(registration_import=staged, acting_user=clerk)
    assert not Person.objects.exists()


def test_a_header_without_rows_says_so(clerk, operation):
    staged = _stage(clerk, operation, b"_uuid,given_name\n")
    assert "no rows" in staged.problem and staged.rows_valid == 0


def test_an_empty_upload_is_refused(clerk, operation):
    with pytest.raises(ValidationError, match="empty"):
        upload_registration_import(acting_user=clerk, operation=operation, filename="a.csv", content=b"")


def test_command_line_import(operation, tmp_path, capsys):
    path = tmp_path / "kobo.csv"
    path.write_bytes(_file(GOOD + BAD))
    assert cli.main(["import", str(path), "--operation", operation.code]) == 0
    out = capsys.readouterr().out
    assert (
        "6 rows: 4 new, 0 with corrections to registered people, 2 with errors" in out
        and "row 5, sex" in out
        and not Person.objects.exists()
    )
    assert cli.main(["import", str(path), "--operation", operation.code, "--commit"]) == 0
    assert "Registered 3 households, 4 people" in capsys.readouterr().out
    assert cli.main(["import", str(path), "--operation", operation.code, "--commit"]) == 1
    assert "4 already registered" in capsys.readouterr().out


def test_command_line_import_with_a_saved_template(clerk, operation, tmp_path, capsys):
    """Headers no one would guess (a partner's own), mapped once in the browser and saved as a template."""
    path = tmp_path / "partner.csv"
    path.write_text("famille,prenom,genre,accord\nF1,Amina,F,yes\nF1,Yusuf,M,yes\n", encoding="utf-8")
    mapping = {"famille": "household_id", "prenom": "given_name", "genre": "sex", "accord": "consent"}
    save_import_template(acting_user=clerk, operation=operation, name="Partner A", mapping=mapping)
    assert cli.main(["import", str(path), "--operation", operation.code, "--template", "Nope"]) == 1
    assert "saved templates: Partner A" in capsys.readouterr().err
    assert cli.main(["import", str(path), "--operation", operation.code, "--template", "Partner A", "--commit"]) == 0
    out = capsys.readouterr().out
    assert "prenom → given_name" in out and "Registered 1 households, 2 people" in out
    assert set(Person.objects.values_list("given_name", flat=True)) == {"Amina", "Yusuf"}
