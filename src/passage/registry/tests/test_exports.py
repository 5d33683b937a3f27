"""Exports as the people who ask for them: a clerk's list holds only whom they see, phones are masked for
roles without need-to-know, protected files open only with their password, every export is audited;
counts suppress small cells, roll areas up the stored hierarchy, and are valid HXL."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import hxl
import msoffcrypto
import pytest
import pyzipper
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hxl.input import InputOptions
from openpyxl import load_workbook

from passage.core.jobs import execute, open_result
from passage.core.models import AuditEvent, Job, Membership, Operation, User
from passage.core.tests.factories import OfficeFactory, member_of
from passage.registry import exports
from passage.registry.access import mask
from passage.registry.actions import new_reference, register_household
from passage.registry.export_actions import ExportRequest, count_people, export_aggregates, export_people
from passage.registry.models import AdminArea, Person
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput

YES = ConsentInput(granted=True, method="verbal")
PASSWORD = "correct horse battery"


def register(operation: Operation, office: Any = None, **values: Any) -> Person:
    household = register_household(
        acting_user=None,
        operation=operation,
        office=office,
        members=[PersonInput(relationship="head", consent=YES, **values)],
    )
    return household.members.get().person


def run(capture: Any, **kwargs: Any) -> Job:
    """Ask for an export and let the worker write it (jobs run in-process in tests)."""
    with capture(execute=True):
        job = export_people(**kwargs)
    job.refresh_from_db()
    assert job.state == "succeeded", job.errors
    return job


def csv_rows(job: Job) -> list[list[str]]:
    content = open_result(job).read()
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def offices(operation: Operation) -> dict[str, Any]:
    return {"erbil": OfficeFactory(operation=operation, code="erbil"), "mosul": OfficeFactory(operation=operation)}


@pytest.fixture
def people(operation: Operation, offices: dict[str, Any]) -> dict[str, Person]:
    return {
        "amal": register(
            operation,
            offices["erbil"],
            given_name="أمل",
            family_name="حسن",
            given_name_latin="Amal",
            family_name_latin="Hassan",
            sex="female",
            birth_date=dt.date(1990, 5, 1),
            birth_date_precision="day",
            phones=["0770 123 4567"],
            documents=[DocumentInput(type="passport", number="A1234567", issuing_country="IQ")],
        ),
        "omar": register(operation, offices["mosul"], given_name_latin="Omar", sex="male", phones=["0750 765 4321"]),
        "noor": register(operation, None, given_name_latin="Noor", sex="female"),
    }


@pytest.fixture
def clerk(operation: Operation) -> User:
    return member_of(operation, "registration_clerk")


# --- lists of people ---------------------------------------------------------------------------------


def test_formulas_become_text():
    assert exports.neutralise("=1+1") == "'=1+1" and exports.neutralise("-2") == "'-2"
    assert exports.neutralise("@SUM(A1)") == "'@SUM(A1)" and exports.neutralise("Amal") == "Amal"
    assert exports.neutralise(dt.date(1990, 5, 1)) == "1990-05-01"


def test_clerk_exports_the_people_their_search_finds(clerk, operation, people, django_capture_on_commit_callbacks):
    job = run(
        django_capture_on_commit_callbacks,
        acting_user=clerk,
        operation=operation,
        request=ExportRequest(q="amal", personal=True),
    )
    header, *rows = csv_rows(job)
    assert [row[0] for row in rows] == [people["amal"].reference]
    assert header[:3] == ["Registration number", "Sex", "Age group"] and "Phone numbers" not in header
    assert job.created_by == clerk and job.result["rows"] == 1 and job.counts["people"] == 1


def test_office_limited_clerk_exports_nobody_of_other_offices(
    operation, offices, people, django_capture_on_commit_callbacks
):
    erbil_clerk = member_of(operation, "registration_clerk", offices=[offices["erbil"]])
    job = run(django_capture_on_commit_callbacks, acting_user=erbil_clerk, operation=operation, request=ExportRequest())
    exported = {row[0] for row in csv_rows(job)[1:]}
    assert exported == {people["amal"].reference, people["noor"].reference}  # Noor belongs to no office


def test_roles_without_export_and_outsiders_are_refused(persona, operation, outsider):
    for user in (persona("finance_officer"), persona("feedback_focal_point"), persona("me_officer"), outsider):
        with pytest.raises(PermissionDenied):
            export_people(acting_user=user, operation=operation, request=ExportRequest())


def test_arabic_names_round_trip_in_csv_and_xlsx(clerk, operation, people, django_capture_on_commit_callbacks):
    as_csv = run(
        django_capture_on_commit_callbacks,
        acting_user=clerk,
        operation=operation,
        request=ExportRequest(q="amal", personal=True),
    )
    header, row = csv_rows(as_csv)
    assert row[header.index("Given name")] == "أمل" and row[header.index("Full name as written")] == "أمل حسن"
    as_xlsx = run(
        django_capture_on_commit_callbacks,
        acting_user=clerk,
        operation=operation,
        request=ExportRequest(q="amal", personal=True, format="xlsx"),
    )
    sheet = load_workbook(io.BytesIO(open_result(as_xlsx).read())).active
    values = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert values[1][values[0].index("Family name")] == "حسن"
    assert as_xlsx.result_file.name.endswith(".xlsx")


def test_formulas_in_names_are_neutralised_in_both_formats(clerk, operation, django_capture_on_commit_callbacks):
    register(operation, given_name_latin='=HYPERLINK("http://x","y")', family_name_latin="@SUM(A1)")
    request = ExportRequest(personal=True)
    header, row = csv_rows(
        run(django_capture_on_commit_callbacks, acting_user=clerk, operation=operation, request=request)
    )
    assert row[header.index("Given name (Latin letters)")] == '\'=HYPERLINK("http://x","y")'
    assert row[header.index("Family name (Latin letters)")] == "'@SUM(A1)"
    job = run(
        django_capture_on_commit_callbacks,
        acting_user=clerk,
        operation=operation,
        request=ExportRequest(personal=True, format="xlsx"),
    )
    sheet = load_workbook(io.BytesIO(open_result(job).read())).active
    given = sheet.cell(row=2, column=header.index("Given name (Latin letters)") + 1)
    assert given.data_type == "s" and given.value.startswith("'=")


def test_phones_are_masked_where_the_role_has_no_need_to_know(
    operation, offices, people, django_capture_on_commit_callbacks
):
    # A data officer (no unmasked phones) who is also a clerk of the Erbil office (unmasked there).
    user = member_of(operation, "data_officer")
    member_of(operation, "registration_clerk", user=user, offices=[offices["erbil"]])
    job = run(
        django_capture_on_commit_callbacks,
        acting_user=user,
        operation=operation,
        request=ExportRequest(sensitive=True, password=PASSWORD),
    )
    with pyzipper.AESZipFile(io.BytesIO(open_result(job).read())) as archive:
        archive.setpassword(PASSWORD.encode())
        content = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(content)))
    phones = {row[0]: row[header.index("Phone numbers")] for row in rows}
    documents = {row[0]: row[header.index("Identity documents")] for row in rows}
    assert phones[people["amal"].reference] == "'+9647701234567"  # Erbil: unmasked (and neutralised)
    assert documents[people["amal"].reference] == "passport IQ A1234567"
    assert phones[people["omar"].reference] == mask("+9647507654321") == "••••••••••••21"  # Mosul: masked


def test_a_role_that_never_sees_phones_may_not_ask_for_them(persona, operation):
    with pytest.raises(ValidationError) as refused:
        export_people(
            acting_user=persona("data_officer"),
            operation=operation,
            request=ExportRequest(sensitive=True, password=PASSWORD),
        )
    assert "may not see phone numbers" in refused.value.message_dict["sensitive"][0]


def test_phones_leave_only_in_a_protected_file_with_a_long_password(clerk, operation):
    with pytest.raises(ValidationError) as no_password:
        export_people(acting_user=clerk, operation=operation, request=ExportRequest(sensitive=True))
    assert "password-protected" in no_password.value.message_dict["password"][0]
    with pytest.raises(ValidationError) as short:
        export_people(acting_user=clerk, operation=operation, request=ExportRequest(password="short"))
    assert "at least 12 characters" in short.value.message_dict["password"][0]
    with pytest.raises(ValidationError) as unknown:
        export_people(acting_user=clerk, operation=operation, request=ExportRequest(format="ods"))
    assert "format" in unknown.value.message_dict


def test_protected_xlsx_opens_with_its_password_only(clerk, operation, people, django_capture_on_commit_callbacks):
    job = run(
        django_capture_on_commit_callbacks,
        acting_user=clerk,
        operation=operation,
        request=ExportRequest(q="amal", personal=True, format="xlsx", password=PASSWORD),
    )
    encrypted = open_result(job).read()
    with pytest.raises(Exception):  # noqa: B017 (an encrypted workbook is no zip at all)
        load_workbook(io.BytesIO(encrypted))
    office_file = msoffcrypto.OfficeFile(io.BytesIO(encrypted))
    assert office_file.is_encrypted()
    with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
        office_file.load_key(password="wrong password!!", verify_password=True)
    office_file = msoffcrypto.OfficeFile(io.BytesIO(encrypted))
    office_file.load_key(password=PASSWORD, verify_password=True)
    opened = io.BytesIO()
    office_file.decrypt(opened, verify_integrity=True)
    sheet = load_workbook(opened).active
    assert sheet.cell(row=2, column=1).value == people["amal"].reference
    assert sheet.cell(row=1, column=1).value == "Registration number"


def test_protected_csv_comes_in_an_aes_zip(clerk, operation, people, django_capture_on_commit_callbacks):
    job = run(
        django_capture_on_commit_callbacks,
        acting_user=clerk,
        operation=operation,
        request=ExportRequest(q="amal", personal=True, password=PASSWORD),
    )
    assert job.result_file.name.endswith(".zip")
    content = open_result(job).read()
    with pyzipper.AESZipFile(io.BytesIO(content)) as archive:
        (name,) = archive.namelist()
        assert name.endswith(".csv")
        with pytest.raises(RuntimeError):  # no password
            archive.read(name)
        archive.setpassword(b"wrong password!!")
        with pytest.raises(RuntimeError):
            archive.read(name)
        archive.setpassword(PASSWORD.encode())
        text = archive.read(name).decode("utf-8-sig")
    assert "أمل" in text and people["amal"].reference in text


def test_every_export_is_audited_and_its_password_kept_nowhere(
    clerk, operation, people, django_capture_on_commit_callbacks
):
    job = run(
        django_capture_on_commit_callbacks,
        acting_user=clerk,
        operation=operation,
        request=ExportRequest(q="amal", personal=True, password=PASSWORD),
    )
    asked = AuditEvent.objects.get(action="person.export.request", object_id=str(job.pk))
    written = AuditEvent.objects.get(action="person.export", object_id=str(job.pk))
    assert asked.actor_id == clerk.pk == written.actor_id and written.operation_id == operation.pk
    assert written.changes["filters"] == [None, {"q": "amal"}]
    assert written.changes["rows"] == [None, 1] and written.changes["protected"] == [None, True]
    assert written.changes["columns"] == [None, ["basic", "personal"]]
    job.refresh_from_db()
    assert job.checkpoint == {} and "password" not in job.params
    stored = " ".join(str(e.changes) for e in AuditEvent.objects.all()) + str(job.params) + str(job.result)
    assert PASSWORD not in stored


def test_the_job_checks_the_permission_again_when_it_runs(clerk, operation, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = export_people(acting_user=clerk, operation=operation, request=ExportRequest())
    Membership.objects.filter(user=clerk).update(is_active=False)
    assert len(queued) == 1
    execute(job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and not job.result_file
    assert "may no longer export" in job.errors[-1]["message"]


def test_rows_stream_with_a_fixed_number_of_queries_per_chunk(clerk, operation, people, django_assert_max_num_queries):
    for n in range(7):
        register(operation, given_name_latin=f"Person {n}", phones=[f"0770 123 45{n:02d}"])
    columns = exports.columns_for(personal=True, sensitive=True)
    queryset = exports.for_export(Person.objects.visible_to(clerk).filter(operation=operation), columns)
    today = timezone.localdate()
    # 10 people in chunks of 3: 4 chunks, each one query for people and one per prefetch (memberships,
    # phones, documents), plus loading the clerk's grants once.
    with django_assert_max_num_queries(4 * 4 + 2):
        rows = list(exports.people_rows(exports.iterate(queryset, chunk_size=3), columns, user=clerk, today=today))
    assert len(rows) == 10


# --- counts of people ----------------------------------------------------------------------------------


@pytest.fixture
def areas(db: None) -> dict[str, AdminArea]:
    iraq = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    ninewa = AdminArea.objects.create(country="IQ", level=1, pcode="IQG15", name="Ninewa", parent=iraq)
    erbil = AdminArea.objects.create(country="IQ", level=1, pcode="IQG09", name="Erbil", parent=iraq)
    mosul = AdminArea.objects.create(country="IQ", level=2, pcode="IQG15Q01", name="Mosul", parent=ninewa)
    sinjar = AdminArea.objects.create(country="IQ", level=2, pcode="IQG15Q05", name="Sinjar", parent=ninewa)
    return {"IQ": iraq, "IQG15": ninewa, "IQG09": erbil, "IQG15Q01": mosul, "IQG15Q05": sinjar}


TODAY = dt.date(2026, 11, 22)


def population(operation: Operation) -> Callable[..., None]:
    def add(count: int, area: AdminArea | None, sex: str, birth: dt.date | None, **values: Any) -> None:
        Person.objects.bulk_create(
            Person(
                operation=operation,
                reference=new_reference("P"),
                admin_area=area,
                sex=sex,
                birth_date=birth,
                birth_date_precision="day" if birth else "",
                **values,
            )
            for _ in range(count)
        )

    return add


def cells(counted: exports.Aggregates) -> dict[tuple[str, str, str], str]:
    return {(c.pcode, c.sex, c.age_group): c.shown for c in counted.cells}


def test_counts_roll_areas_up_and_suppress_small_cells(persona, operation, areas):
    add = population(operation)
    add(7, areas["IQG15Q01"], "female", dt.date(1990, 5, 1))
    add(4, areas["IQG15Q05"], "female", dt.date(1991, 1, 1))  # Mosul 7 + Sinjar 4 = Ninewa 11
    add(2, areas["IQG09"], "male", dt.date(2020, 1, 1))
    add(6, None, "male", None)
    add(9, areas["IQG09"], "female", dt.date(1990, 1, 1), status="withdrawn")  # not counted
    me_officer = persona("me_officer")  # may count, may not see anyone
    counted = count_people(acting_user=me_officer, operation=operation, level=1, today=TODAY)
    assert cells(counted) == {
        ("IQG15", "female", "18-59"): "11",
        ("IQG09", "male", "5-11"): "<5",
        ("", "male", "unknown"): "6",
    }
    assert counted.suppressed == 1 and counted.areas[-1] == ("", "Not known at this level")
    district = cells(count_people(acting_user=me_officer, operation=operation, level=2, today=TODAY))
    assert district[("IQG15Q01", "female", "18-59")] == "7" and district[("IQG15Q05", "female", "18-59")] == "<5"
    assert district[("", "male", "5-11")] == "<5"  # Erbil is a governorate: not known at district level


def test_the_database_counts_ages_as_the_rule_says(persona, operation, settings):
    settings.SMALL_CELL_THRESHOLD = 1  # the site's setting: every count shown
    births = [
        TODAY.replace(year=TODAY.year - years) + dt.timedelta(days=shift)
        for years in (0, 5, 12, 18, 60, 80)
        for shift in (-1, 0, 1)
    ]
    add = population(operation)
    for birth in births:
        add(1, None, "female", birth)
    counted = count_people(acting_user=persona("me_officer"), operation=operation, level=0, today=TODAY)
    expected: dict[str, int] = {}
    for birth in births:
        group = exports.age_group(birth, TODAY)
        expected[group] = expected.get(group, 0) + 1
    assert {c.age_group: c.count for c in counted.cells} == expected
    assert exports.age_group(dt.date(2021, 11, 22), TODAY) == "5-11"  # fifth birthday today
    assert exports.age_group(dt.date(2021, 11, 23), TODAY) == "0-4"
    assert exports.age_group(dt.date(2008, 2, 29), dt.date(2026, 2, 28)) == "12-17"  # 18 on 1 March
    assert exports.years_before(dt.date(2028, 2, 29), 1) == dt.date(2027, 2, 28)


def test_a_threshold_may_be_raised_never_lowered(persona, operation, areas, settings):
    population(operation)(7, areas["IQG09"], "female", dt.date(1990, 1, 1))
    me_officer = persona("me_officer")
    raised = count_people(acting_user=me_officer, operation=operation, level=1, threshold=10, today=TODAY)
    assert cells(raised) == {("IQG09", "female", "18-59"): "<10"}
    with pytest.raises(ValidationError) as lowered:
        count_people(acting_user=me_officer, operation=operation, level=1, threshold=2)
    assert "always suppressed" in lowered.value.message_dict["threshold"][0]
    settings.SMALL_CELL_THRESHOLDS = {operation.code: 8}
    assert cells(count_people(acting_user=me_officer, operation=operation, level=1, today=TODAY)) == {
        ("IQG09", "female", "18-59"): "<8"
    }


def test_who_may_count_and_whom(persona, operation, offices, areas, outsider):
    add = population(operation)
    add(5, areas["IQG09"], "female", dt.date(1990, 1, 1), office=offices["erbil"])
    add(5, areas["IQG15"], "female", dt.date(1990, 1, 1), office=offices["mosul"])
    add(5, areas["IQG15"], "male", dt.date(1990, 1, 1))
    erbil_only = member_of(operation, "me_officer", offices=[offices["erbil"]])
    counted = cells(count_people(acting_user=erbil_only, operation=operation, level=1, today=TODAY))
    assert counted == {("IQG09", "female", "18-59"): "5", ("IQG15", "male", "18-59"): "5"}
    for refused in (persona("registration_clerk"), persona("caseworker"), outsider):
        with pytest.raises(PermissionDenied):
            count_people(acting_user=refused, operation=operation, level=1)


def test_hxl_counts_are_valid_for_libhxl_and_audited(persona, operation, areas):
    add = population(operation)
    add(7, areas["IQG15"], "female", dt.date(1990, 5, 1))
    add(2, areas["IQG15"], "male", dt.date(2020, 1, 1))
    data_officer = persona("data_officer")
    content = export_aggregates(acting_user=data_officer, operation=operation, level=1)
    dataset = hxl.data(io.BytesIO(content), InputOptions(encoding="utf-8-sig"))
    assert [column.display_tag for column in dataset.columns] == [
        "#adm1+code",
        "#adm1+name",
        "#beneficiary+sex",
        "#beneficiary+age+group",
        "#affected+ind",
        "#meta+suppressed",
        "#date+reported",
    ]
    rows = {(r.get("#beneficiary+sex"), r.get("#beneficiary+age+group")): r for r in dataset}
    assert rows[("female", "18-59")].get("#affected+ind") == "7"
    assert not rows[("male", "5-11")].get("#affected+ind") and rows[("male", "5-11")].get("#meta") == "<5"
    problems: list[Any] = []
    valid = hxl.schema(callback=problems.append).validate(
        hxl.data(io.BytesIO(content), InputOptions(encoding="utf-8-sig"))
    )
    assert valid and not problems, [p.message for p in problems]
    event = AuditEvent.objects.get(action="person.aggregate.export")
    assert event.actor_id == data_officer.pk and event.changes["suppressed"] == [None, 1]
    assert event.changes["level"] == [None, 1] and event.changes["threshold"] == [None, 5]
