"""KoboCollect/ODK Collect: the XForm Passage exports, and Kobo and ODK Central exports read back."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.etree import ElementTree

import pytest
from openpyxl import Workbook

from passage.cases.xlsform.library.build import form_bytes
from passage.cases.xlsform.odk import SubmissionFileError, export_for_collect, plan_import, read_submissions
from passage.cases.xlsform.reader import FormReadError, read_xlsform

TODAY = dt.date(2025, 6, 1)
XFORMS = "{http://www.w3.org/2002/xforms}"


@pytest.fixture(scope="module")
def intake():
    return read_xlsform(form_bytes("protection_intake"))


def test_export_gives_an_xform_collect_can_read():
    source = form_bytes("protection_intake")
    export = export_for_collect(source, filename="protection_intake.xlsx")
    assert (export.form_id, export.version) == ("passage_protection_intake", "2025.1")
    root = ElementTree.fromstring(export.xform)  # noqa: S314 - our own output
    instance = root.find(f".//{XFORMS}instance/{XFORMS}passage_protection_intake")
    if instance is None:
        instance = next(root.iter(f"{XFORMS}data"))
    assert instance.get("id") == "passage_protection_intake" and instance.get("version") == "2025.1"
    binds = {bind.get("nodeset"): bind for bind in root.iter(f"{XFORMS}bind")}
    assert binds["/data/intake/person/age"].get("type") == "int"
    assert "today()" in binds["/data/intake_date"].get("constraint", "")
    assert binds["/data/intake/place/location"].get("type") == "geopoint"
    assert any(text.text == "الاسم الكامل" for text in root.iter(f"{XFORMS}value"))
    with zipfile.ZipFile(io.BytesIO(export.zip_bytes())) as archive:
        assert sorted(archive.namelist()) == ["passage_protection_intake.xml", "protection_intake.xlsx"]
        assert archive.read("protection_intake.xlsx") == source


def test_export_of_a_broken_xlsform_says_why():
    with pytest.raises(FormReadError):
        export_for_collect(b"not a workbook", filename="x.xlsx")


KOBO_HEADER = [
    "start", "end", "today", "username", "intake_date", "consent",
    "intake/person/full_name", "intake/person/sex", "intake/person/age",
    "intake/place/governorate", "intake/place/district", "intake/place/location",
    "_intake/place/location_latitude", "_intake/place/location_longitude",
    "_intake/place/location_altitude", "_intake/place/location_precision",
    "intake/needs_group/needs", "intake/needs_group/needs/food", "intake/needs_group/needs/shelter",
    "intake/needs_group/safety_risk", "intake/needs_group/immediate_referral", "intake/household_size",
    "meta/instanceID", "meta/rootUuid", "_id", "_uuid", "_submission_time", "_validation_status", "__version__",
    "_index",
]  # fmt: skip


def _kobo_row(uuid, name, *, age="34", district="gov_a_1", index=1, status="", needs="food shelter", root=""):
    row = {
        "start": "2025-05-01T10:15:30.123+03:00", "end": "2025-05-01T10:35:00.000+03:00", "today": "2025-05-01",
        "username": "enumerator1", "intake_date": "2025-05-01", "consent": "yes",
        "intake/person/full_name": name, "intake/person/sex": "female", "intake/person/age": age,
        "intake/place/governorate": "gov_a", "intake/place/district": district,
        "intake/place/location": "33.31 44.36 0 5", "_intake/place/location_latitude": "33.31",
        "_intake/place/location_longitude": "44.36", "_intake/place/location_altitude": "0",
        "_intake/place/location_precision": "5", "intake/needs_group/needs": needs,
        "intake/needs_group/needs/food": "1", "intake/needs_group/needs/shelter": "1",
        "intake/needs_group/safety_risk": "high", "intake/needs_group/immediate_referral": "yes",
        "intake/household_size": "3", "meta/instanceID": f"uuid:{uuid}", "_id": str(1000 + index), "_uuid": uuid,
        "_submission_time": "2025-05-01T07:36:00", "_validation_status": status, "__version__": "vAbc123",
        "_index": str(index),
    }  # fmt: skip
    if root:
        row["meta/rootUuid"] = f"uuid:{root}"
    return row


def _kobo_csv(rows, header=KOBO_HEADER) -> bytes:
    lines = [";".join(header)] + [";".join(row.get(column, "") for column in header) for row in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def test_a_kobo_csv_is_read_back_keyed_by_uuid(intake):
    rows = [
        _kobo_row("11111111-aaaa", "Amal", index=1),
        _kobo_row("22222222-bbbb", "Huda", age="two hundred", index=2),
        _kobo_row("", "Nameless", index=3),
        _kobo_row("44444444-dddd", "Rejected", index=4, status="validation_status_not_approved"),
    ]
    result = read_submissions(intake, _kobo_csv(rows), filename="intake.csv", today=TODAY)
    assert result.shape == "kobo-csv"
    assert sorted(result.submissions) == ["11111111-aaaa", "22222222-bbbb"]
    amal = result.submissions["11111111-aaaa"]
    assert amal.ok and amal.row == 2 and amal.instance_id == "11111111-aaaa"
    assert amal.evaluation.values["needs"] == ["food", "shelter"]
    assert amal.evaluation.values["location"] == "33.31 44.36 0 5"
    assert amal.evaluation.values["household_size"] == 1  # recalculated: a CSV has no members
    assert amal.evaluation.scores == {"score_protection_risk": 3}  # high risk, no disability, no child
    assert amal.meta["_id"] == "1001" and amal.meta["start"].startswith("2025-05-01T10:15")
    assert [str(error) for error in result.errors] == [
        "sheet intake row 3, field 'age': Enter a whole number.",
        "sheet intake row 4: no submission ID (_uuid, meta/instanceID or KEY): without one a second import would "
        "make it twice",
    ]
    assert result.skipped == 1
    assert [item.key for item in result.valid] == ["11111111-aaaa"]


def test_a_reimport_changes_nothing_and_an_edit_is_an_update(intake):
    source = _kobo_csv([_kobo_row("11111111-aaaa", "Amal"), _kobo_row("33333333-cccc", "Rana", index=2)])
    first = read_submissions(intake, source, filename="intake.csv", today=TODAY)
    stored = {item.key: item.fingerprint for item in first.valid}
    again = read_submissions(intake, source, filename="intake.csv", today=TODAY)
    assert plan_import(stored, again).unchanged == ["11111111-aaaa", "33333333-cccc"]
    assert {key: item.evaluation.values for key, item in again.submissions.items()} == {
        key: item.evaluation.values for key, item in first.submissions.items()
    }
    edited = _kobo_row("99999999-edit", "Amal Hassan", root="11111111-aaaa")  # Kobo gives an edit a new _uuid
    plan = plan_import(stored, read_submissions(intake, _kobo_csv([edited]), filename="intake.csv", today=TODAY))
    assert (plan.create, plan.update, plan.unchanged) == ([], ["11111111-aaaa"], [])


def test_select_answers_exported_as_labels_or_as_one_column_per_choice(intake):
    row = _kobo_row("11111111-aaaa", "Amal", needs="")
    row["intake/person/sex"] = "Female"  # headers and values as labels
    row["intake/needs_group/needs/shelter"] = "0"
    result = read_submissions(intake, _kobo_csv([row]), filename="intake.csv", today=TODAY)
    values = result.submissions["11111111-aaaa"].evaluation.values
    assert values["sex"] == "female" and values["needs"] == ["food"]


def test_unknown_columns_are_named_not_silently_dropped(intake):
    header = [*KOBO_HEADER, "intake/favourite_colour"]
    result = read_submissions(intake, _kobo_csv([_kobo_row("1", "A")], header), filename="intake.csv", today=TODAY)
    assert result.warnings == ["sheet intake: columns 'intake/favourite_colour' are not fields of this form: ignored"]


def _kobo_xlsx(main_rows, member_rows) -> bytes:
    book = Workbook()
    main = book.active
    main.title = "Protection intake"
    main.append(KOBO_HEADER)
    for row in main_rows:
        main.append([row.get(column, "") for column in KOBO_HEADER])
    members = book.create_sheet("household_members")
    header = [
        "intake/household_members/member_name", "intake/household_members/member_relationship",
        "intake/household_members/member_age", "intake/household_members/member_sex",
        "intake/household_members/member_is_child", "_index", "_parent_table_name", "_parent_index",
        "_submission__id", "_submission__uuid", "_submission__submission_time",
    ]  # fmt: skip
    members.append(header)
    for row in member_rows:
        members.append([row.get(column, "") for column in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _member(index, parent, name, relationship="child", age=8):
    return {
        "intake/household_members/member_name": name,
        "intake/household_members/member_relationship": relationship,
        "intake/household_members/member_age": age,
        "intake/household_members/member_sex": "male",
        "_index": index,
        "_parent_table_name": "Protection intake",
        "_parent_index": parent,
    }


def test_a_kobo_xlsx_with_a_repeat_sheet(intake):
    main_rows = [_kobo_row("11111111-aaaa", "Amal", index=1), _kobo_row("22222222-bbbb", "Huda", index=2)]
    main_rows[0]["intake_date"] = dt.datetime(2025, 5, 1)  # noqa: DTZ001 - a date cell, as Excel keeps it
    main_rows[0]["intake/person/age"] = 34  # a number cell
    member_rows = [
        _member(1, 2, "Sami", age=40, relationship="spouse"),
        _member(2, 1, "Omar"),
        _member(3, 1, "Lina", age=300),
        _member(4, 9, "Ghost"),
    ]
    result = read_submissions(intake, _kobo_xlsx(main_rows, member_rows), filename="export.xlsx", today=TODAY)
    assert result.shape == "kobo-xlsx"
    amal = result.submissions["11111111-aaaa"]
    assert [member["member_name"] for member in amal.answers["household_members"]] == ["Omar", "Lina"]
    assert amal.answers["intake_date"] == "2025-05-01"
    huda = result.submissions["22222222-bbbb"]
    assert huda.ok
    assert huda.evaluation.values["household_members"] == [
        {"member_name": "Sami", "member_relationship": "spouse", "member_age": 40, "member_sex": "male",
         "member_is_child": 0}
    ]  # fmt: skip
    assert huda.evaluation.values["household_size"] == 2
    assert [str(error) for error in result.errors] == [
        "sheet household_members row 5: its parent (9) is not in the file",
        "sheet household_members row 4, field 'household_members[2].member_age': Enter an age from 0 to 120.",
    ]
    again = read_submissions(intake, _kobo_xlsx(main_rows, member_rows), filename="export.xlsx", today=TODAY)
    assert plan_import({item.key: item.fingerprint for item in result.valid}, again).unchanged == ["22222222-bbbb"]


def test_an_odk_central_zip_with_a_repeat(intake):
    main_header = [
        "SubmissionDate", "intake_date", "consent", "intake-person-full_name", "intake-person-sex", "intake-person-age",
        "intake-place-governorate", "intake-place-district", "intake-place-location-Latitude",
        "intake-place-location-Longitude", "intake-place-location-Altitude", "intake-place-location-Accuracy",
        "intake-needs_group-needs", "intake-needs_group-safety_risk", "intake-needs_group-immediate_referral",
        "meta-instanceID", "KEY", "SubmitterID", "ReviewState", "FormVersion", "SET-OF-household_members",
    ]  # fmt: skip
    main_rows = [
        ["2025-05-01T07:36:00.000Z", "2025-05-01", "yes", "Amal", "female", "34", "gov_b", "gov_b_2", "33.31",
         "44.36", "0", "4.5", "food", "low", "", "uuid:abc", "uuid:abc", "5", "", "2025.1",
         "uuid:abc/household_members"],
        ["2025-05-02T07:36:00.000Z", "2025-05-02", "yes", "Rejected", "female", "30", "gov_a", "gov_a_1", "", "", "",
         "", "food", "none", "", "uuid:def", "uuid:def", "5", "rejected", "2025.1", ""],
    ]  # fmt: skip
    member_header = ["member_name", "member_relationship", "member_age", "member_sex", "PARENT_KEY", "KEY"]
    member_rows = [
        ["Omar", "child", "8", "male", "uuid:abc", "uuid:abc/household_members[1]"],
        ["Sami", "spouse", "41", "male", "uuid:abc", "uuid:abc/household_members[2]"],
    ]

    def csv_text(header, rows):
        return "\n".join(",".join(row) for row in [header, *rows]) + "\n"

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("passage_protection_intake.csv", csv_text(main_header, main_rows))
        out.writestr("passage_protection_intake-household_members.csv", csv_text(member_header, member_rows))
    result = read_submissions(intake, archive.getvalue(), filename="export.zip", today=TODAY)
    assert result.shape == "odk-zip"
    assert list(result.submissions) == ["abc"] and result.skipped == 1
    amal = result.submissions["abc"]
    assert amal.ok, [str(error) for error in result.errors]
    assert amal.form_version == "2025.1"
    assert amal.evaluation.values["location"] == "33.31 44.36 0 4.5"
    assert [member["member_name"] for member in amal.evaluation.values["household_members"]] == ["Omar", "Sami"]
    assert amal.evaluation.values["children_count"] == 1


@pytest.mark.parametrize(
    ("filename", "content", "words"),
    [
        ("export.pdf", b"%PDF", "not an export"),
        ("export.zip", b"not a zip", "not a ZIP"),
        ("export.xlsx", b"not a workbook", "cannot be read as XLSX"),
        ("export.csv", b"", "no header"),
    ],
)
def test_files_that_are_not_exports(intake, filename, content, words):
    with pytest.raises(SubmissionFileError, match=words):
        read_submissions(intake, content, filename=filename)
