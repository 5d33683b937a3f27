"""The import engine at work on the files people send: Kobo XLSX exports with a members repeat group, households
scattered through a file, changes to registered people, a newborn added to a registered household, P-codes,
checking in worker processes, and a commit that stopped half-way and is resumed."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.db import connection
from openpyxl import Workbook

from passage.core.models import AuditEvent
from passage.core.tests.factories import member_of
from passage.registry import import_engine
from passage.registry.import_actions import (
    approve_registration_import,
    stage_registration_import,
    upload_registration_import,
)
from passage.registry.models import AdminArea, Household, ImportState, Person, RowOutcome


@pytest.fixture
def clerk(operation):
    return member_of(operation, "registration_clerk")


def _stage(clerk, operation, content: bytes, filename: str = "file.csv"):
    upload = upload_registration_import(acting_user=clerk, operation=operation, filename=filename, content=content)
    return stage_registration_import(registration_import=upload)


def _csv(header: str, rows: list[str]) -> bytes:
    return (header + "\n" + "\n".join(rows) + "\n").encode()


def _kobo_workbook() -> bytes:
    """What KoboToolbox's XLSX export gives for a form with a `member` repeat group."""
    book = Workbook()
    main = book.active
    main.title = "Household registration"
    main.append(["start", "group_hh/household_id", "group_hh/phone", "group_hh/consent", "_uuid", "_index"])
    main.append(["2026-11-01", "KB-1", "0770 123 4567", "yes", "5a1e-0001", 1])
    main.append(["2026-11-01", "KB-2", "0771 222 3333", "yes", "5a1e-0002", 2])
    born = dt.datetime(1980, 5, 2, tzinfo=dt.UTC).replace(tzinfo=None)  # Excel dates carry no zone
    member = book.create_sheet("member")
    member.append(
        [
            "member/relationship",
            "member/given_name",
            "member/family_name",
            "member/sex",
            "member/dob",
            "_index",
            "_parent_index",
            "_parent_table_name",
            "_submission__uuid",
        ]
    )
    member.append(["head", "Ahmad", "Karimi", "male", born, 1, 1, "Household registration", "5a1e-0001"])
    member.append(["spouse", "Mariam", "Karimi", "female", "1984", 2, 1, "Household registration", "5a1e-0001"])
    member.append(["son", "Omid", "Karimi", "male", "2015-03", 3, 1, "Household registration", "5a1e-0001"])
    member.append(["head", "Halima", "Abdi", "female", "", 4, 2, "Household registration", "5a1e-0002"])
    member.append(["daughter", "Sahra", "Abdi", "X", "2019", 5, 2, "Household registration", "5a1e-0002"])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_kobo_export_with_a_members_repeat_group_becomes_one_row_per_member(clerk, operation):
    staged = _stage(clerk, operation, _kobo_workbook(), "kobo.xlsx")
    assert staged.state == ImportState.VALIDATED, staged.problem
    assert "member" in staged.problem  # says how the sheets were read
    assert (staged.rows_total, staged.rows_valid, staged.rows_invalid) == (5, 3, 2)
    sahra = staged.rows.get(row_number=6)
    assert sahra.errors[0]["field"] == "sex"
    halima = staged.rows.get(row_number=5)  # sound, but her household has a bad row
    assert halima.outcome == RowOutcome.INVALID and "row 6" in halima.errors[0]["message"]
    approve_registration_import(registration_import=staged, acting_user=clerk)
    household = Household.objects.get()
    assert household.members.count() == 3
    ahmad = Person.objects.get(given_name="Ahmad")
    assert (ahmad.birth_date, ahmad.birth_date_precision) == (dt.date(1980, 5, 2), "day")
    assert ahmad.phones.get().number == "+9647701234567"  # the submission's phone, carried to each member
    assert ahmad.source_import_id == staged.pk
    again = _stage(clerk, operation, _kobo_workbook(), "kobo.xlsx")
    assert again.rows_already_registered == 3 and again.rows_valid == 0


def test_a_household_scattered_through_the_file_is_checked_whole(clerk, operation):
    header = "household_id,relationship,given_name,sex,consent"
    rows = ["H1,head,Asha,F,yes", "H2,head,Bilal,M,yes", "H1,son,Chala,M,yes", "H2,head,Dawit,M,yes"]
    staged = _stage(clerk, operation, _csv(header, rows))
    assert staged.rows_total == 4 and staged.rows_valid == 2 and staged.rows_invalid == 2
    assert {e["field"] for row in staged.rows.filter(household_key="H2") for e in row.errors} == {"household_id"}
    approve_registration_import(registration_import=staged, acting_user=clerk)
    assert Household.objects.get().members.count() == 2


def test_staged_rows_are_sealed_at_rest(clerk, operation):
    staged = _stage(clerk, operation, _csv("given_name,phone,consent", ["Yusra,0770 123 4567,yes"]))
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_values, sealed_record FROM registry_stagedrow")
        values, record = cursor.fetchone()
    assert "Yusra" not in values + record and "770" not in values + record
    assert staged.rows.get().values["given_name"] == "Yusra"


def test_changes_to_registered_people_wait_for_approval_and_are_audited(clerk, operation):
    header = "_uuid,household_id,relationship,given_name,family_name,sex,dob,consent"
    first = _stage(clerk, operation, _csv(header, ["k-1,H1,head,Zainab,Ali,F,1990,yes"]))
    approve_registration_import(registration_import=first, acting_user=clerk)
    corrected = _stage(clerk, operation, _csv(header, ["k-1,H1,head,Zaynab,Ali,F,1990-04-12,yes"]))
    assert corrected.rows_update == 1 and corrected.rows_valid == 0
    row = corrected.rows.get()
    assert row.outcome == RowOutcome.UPDATE
    assert row.changes["given_name"] == ["Zainab", "Zaynab"]
    assert row.changes["birth_date"] == ["1990-01-01", "1990-04-12"]
    assert Person.objects.get().given_name == "Zainab"  # nothing changes before approval
    approved = approve_registration_import(registration_import=corrected, acting_user=clerk)
    person = Person.objects.get()
    assert (person.given_name, person.birth_date_precision, person.version) == ("Zaynab", "day", 2)
    assert approved.people_updated == 1 and approved.people_created == 0
    event = AuditEvent.objects.get(action="person.update")
    assert event.changes["given_name"] == ["Zainab", "Zaynab"] and "row 2" in event.note


def test_a_change_made_in_the_registry_meanwhile_is_not_overwritten(clerk, operation):
    header = "_uuid,household_id,relationship,given_name,sex,consent"
    approve_registration_import(
        registration_import=_stage(clerk, operation, _csv(header, ["k-9,H9,head,Nasra,F,yes"])), acting_user=clerk
    )
    staged = _stage(clerk, operation, _csv(header, ["k-9,H9,head,Nasro,F,yes"]))
    Person.objects.filter(given_name="Nasra").update(given_name="Nasrah")  # a clerk's edit after checking
    approved = approve_registration_import(registration_import=staged, acting_user=clerk)
    assert approved.people_updated == 0 and Person.objects.get().given_name == "Nasrah"
    assert "since the import was checked" in staged.rows.get().errors[0]["message"]


def test_a_newborn_in_a_registered_household_joins_it(clerk, operation):
    header = "_uuid,household_id,relationship,given_name,sex,dob,consent"
    household = ["m-1,H5,head,Faduma,F,1992,yes"]
    approve_registration_import(
        registration_import=_stage(clerk, operation, _csv(header, household)), acting_user=clerk
    )
    staged = _stage(clerk, operation, _csv(header, [*household, "m-2,H5,daughter,Hodan,F,2026-10,yes"]))
    assert (staged.rows_already_registered, staged.rows_valid) == (1, 1)
    approved = approve_registration_import(registration_import=staged, acting_user=clerk)
    assert approved.households_created == 0 and Household.objects.get().members.count() == 2


def test_p_codes_place_people_and_unknown_ones_are_errors(clerk, operation):
    AdminArea.objects.create(country=operation.country, level=0, pcode=operation.country, name="Country")
    area = AdminArea.objects.create(
        country=operation.country,
        level=1,
        pcode=f"{operation.country}01",
        name="North",
        parent=AdminArea.objects.get(pcode=operation.country),
    )
    header = "household_id,relationship,given_name,sex,consent,admin1pcode"
    rows = [f"H1,head,Amal,F,yes,{area.pcode.lower()}", "H2,head,Badr,M,yes,ZZ99"]
    staged = _stage(clerk, operation, _csv(header.replace("admin1pcode", "pcode"), rows))
    assert staged.rows_invalid == 1
    assert staged.rows.get(row_number=3).errors[0]["field"] == "admin_area"
    approve_registration_import(registration_import=staged, acting_user=clerk)
    assert Person.objects.get(given_name="Amal").admin_area == area
    assert Household.objects.get().admin_area == area


def test_checking_in_worker_processes_gives_the_same_result(clerk, operation, monkeypatch):
    header = "household_id,relationship,given_name,sex,phone,consent"
    rows = [f"H{n // 3},{'head' if n % 3 == 0 else 'son'},Name{n},M,0770 123 {n:04d},yes" for n in range(60)]
    rows[7] = rows[7].replace(",M,", ",Q,")
    monkeypatch.setattr(import_engine, "PARALLEL_FROM_ROWS", 1)
    monkeypatch.setattr(import_engine, "CHUNK_ROWS", 10)
    content = _csv(header, rows)
    parallel = _stage(clerk, operation, content)
    monkeypatch.setattr(import_engine, "PARALLEL_FROM_ROWS", 10**9)
    serial = _stage(clerk, operation, content)
    assert (parallel.rows_valid, parallel.rows_invalid) == (serial.rows_valid, serial.rows_invalid) == (57, 3)


def test_a_commit_that_stopped_half_way_resumes_without_duplicates(clerk, operation, monkeypatch):
    header = "household_id,relationship,given_name,sex,consent"
    rows = [f"H{n},head,Person{n},F,yes" for n in range(30)]
    staged = _stage(clerk, operation, _csv(header, rows))
    monkeypatch.setattr(import_engine, "CHUNK_ROWS", 10)
    calls = {"n": 0}
    real = import_engine._commit_batch

    def failing_second_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the worker was stopped")
        return real(*args, **kwargs)

    monkeypatch.setattr(import_engine, "_commit_batch", failing_second_batch)
    with pytest.raises(RuntimeError):
        approve_registration_import(registration_import=staged, acting_user=clerk)
    staged.refresh_from_db()
    assert staged.state == ImportState.COMMITTING and Person.objects.count() == 10
    monkeypatch.setattr(import_engine, "_commit_batch", real)
    resumed = approve_registration_import(registration_import=staged, acting_user=clerk)
    assert resumed.state == ImportState.COMMITTED and Person.objects.count() == 30
    assert resumed.people_created == 30


def test_commit_pages_keep_households_whole(clerk, operation, monkeypatch):
    """The commit reads a page of rows at a time; a household that runs past the end of a page (here one of
    five in pages of three) is committed whole, and every household exactly once."""
    monkeypatch.setattr(import_engine, "CHUNK_ROWS", 3)
    sizes = {"H1": 1, "H2": 5, "H3": 2, "H4": 3, "H5": 1}
    rows = []
    for household, size in sizes.items():
        for n in range(size):
            relationship = "head" if n == 0 else "son"
            rows.append(f"{household},{relationship},{household}-{n},M,yes")
    staged = _stage(clerk, operation, _csv("household_id,relationship,given_name,sex,consent", rows))
    done = approve_registration_import(registration_import=staged, acting_user=clerk)
    assert (done.households_created, done.people_created) == (5, 12)
    by_household = {
        household.members.get(relationship="head").person.given_name.split("-")[0]: household.members.count()
        for household in Household.objects.filter(operation=operation)
    }
    assert by_household == sizes
