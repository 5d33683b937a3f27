"""The registry's files at rest and key rotation, as an installation lives them: a clerk's uploaded CSV or Kobo
XLSX is stored sealed and imported through the real engine, an export is stored sealed and downloads in clear,
files from before encryption still read; a new key is put first, `passage keys rotate` moves documents, phones,
photos, import files and export files to it, and afterwards Passage works with the new key alone."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from openpyxl import Workbook

from passage import cli
from passage.conftest import sign_in
from passage.core import crypto, file_crypto
from passage.core.actions.keys import rotate_keys
from passage.core.jobs import execute, open_result
from passage.core.models import AuditEvent, Job
from passage.core.tests.factories import member_of
from passage.registry import person_actions
from passage.registry.export_actions import ExportRequest, export_people
from passage.registry.import_actions import (
    approve_registration_import,
    stage_registration_import,
    upload_registration_import,
)
from passage.registry.models import Household, IdentityDocument, ImportState, Person, Phone, RegistrationImport
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput
from passage.registry.sealed_files import import_file_context, read_import_file

YES = ConsentInput(granted=True, method="verbal")


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture
def clerk(operation):
    return member_of(operation, "registration_clerk")


def _stored(registration_import: RegistrationImport) -> bytes:
    return Path(registration_import.file.path).read_bytes()


def _households_csv(count: int) -> bytes:
    """One household per row, enough rows to span several chunks of the sealed file."""
    lines = ["household_id,relationship,given_name,family_name,sex,dob,phone,consent"]
    lines += [f"H{n},head,محمد{n},الجبوري,male,1985-03-17,0770 {n % 1000:03d} {n:04d},yes" for n in range(count)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _kobo_workbook() -> bytes:
    """KoboToolbox's XLSX export of a form with a `member` repeat group."""
    book = Workbook()
    main = book.active
    main.title = "Household registration"
    main.append(["group_hh/household_id", "group_hh/phone", "group_hh/consent", "_uuid", "_index"])
    main.append(["KB-1", "0770 123 4567", "yes", "5a1e-0001", 1])
    member = book.create_sheet("member")
    member.append(["member/relationship", "member/given_name", "member/sex", "member/dob", "_index", "_parent_index"])
    member.append(["head", "Ahmad", "male", dt.datetime(1980, 5, 2), 1, 1])  # noqa: DTZ001  (Excel dates have no zone)
    member.append(["spouse", "Mariam", "female", "1984", 2, 1])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Import files ----------------------------------------------------------------------------------------------


def test_an_uploaded_csv_is_stored_sealed_and_imported_through_the_engine(clerk, operation):
    content = _households_csv(2000)
    assert len(content) > 2 * file_crypto.CHUNK_SIZE  # rows straddle chunk boundaries
    upload = upload_registration_import(acting_user=clerk, operation=operation, filename="kobo.csv", content=content)
    stored = _stored(upload)
    assert stored.startswith(file_crypto.MAGIC)
    assert "الجبوري".encode() not in stored and b"0770" not in stored and b"household_id" not in stored
    staged = stage_registration_import(registration_import=upload)
    assert staged.state == ImportState.VALIDATED, staged.problem
    assert (staged.rows_total, staged.rows_valid, staged.encoding) == (2000, 2000, "utf-8")
    approve_registration_import(registration_import=staged, acting_user=clerk)
    assert Household.objects.filter(operation=operation).count() == 2000
    last = Person.objects.get(given_name="محمد1999")
    assert last.phones.get().number == "+9647709991999"


def test_an_uploaded_kobo_xlsx_is_stored_sealed_and_its_repeat_group_read(clerk, operation):
    upload = upload_registration_import(
        acting_user=clerk, operation=operation, filename="kobo.xlsx", content=_kobo_workbook()
    )
    assert _stored(upload).startswith(file_crypto.MAGIC)
    assert b"PK" not in _stored(upload)[:64]  # not a zip archive on disk
    staged = stage_registration_import(registration_import=upload)
    assert staged.state == ImportState.VALIDATED, staged.problem
    assert (staged.rows_total, staged.rows_valid) == (2, 2)
    approve_registration_import(registration_import=staged, acting_user=clerk)
    ahmad = Person.objects.get(given_name="Ahmad")
    assert ahmad.birth_date == dt.date(1980, 5, 2)
    assert ahmad.phones.get().number == "+9647701234567"


def test_a_plain_xlsx_is_read_from_its_sealed_file(clerk, operation):
    book = Workbook()
    book.active.append(["household_id", "relationship", "given_name", "sex", "consent"])
    book.active.append(["X1", "head", "Asha", "F", "yes"])
    out = io.BytesIO()
    book.save(out)
    upload = upload_registration_import(
        acting_user=clerk, operation=operation, filename="f.xlsx", content=out.getvalue()
    )
    assert read_import_file(upload).header == ["household_id", "relationship", "given_name", "sex", "consent"]
    staged = stage_registration_import(registration_import=upload)
    assert (staged.state, staged.rows_valid) == (ImportState.VALIDATED, 1)


def test_an_import_file_stored_in_clear_before_encryption_is_still_read(clerk, operation):
    legacy = RegistrationImport(operation=operation, filename="old.csv", created_by=clerk)
    legacy.file.save("old.csv", ContentFile(_households_csv(3)), save=True)  # as uploads were stored before
    assert not _stored(legacy).startswith(file_crypto.MAGIC)
    staged = stage_registration_import(registration_import=legacy)
    assert (staged.state, staged.rows_valid) == (ImportState.VALIDATED, 3)


def test_an_altered_import_file_fails_to_stage_and_says_why(clerk, operation):
    upload = upload_registration_import(
        acting_user=clerk, operation=operation, filename="kobo.csv", content=_households_csv(20)
    )
    path = Path(upload.file.path)
    sealed = bytearray(path.read_bytes())
    sealed[-40] ^= 0x01
    path.write_bytes(bytes(sealed))
    staged = stage_registration_import(registration_import=upload)
    assert staged.state == ImportState.FAILED
    assert "could not be decrypted" in staged.problem and "altered" in staged.problem


def test_an_import_file_copied_onto_another_import_does_not_open_there(clerk, operation):
    first = upload_registration_import(acting_user=clerk, operation=operation, filename="a.csv", content=b"a\n1\n")
    second = upload_registration_import(acting_user=clerk, operation=operation, filename="b.csv", content=b"b\n2\n")
    Path(second.file.path).write_bytes(_stored(first))
    with pytest.raises(file_crypto.SealedFileError):
        file_crypto.open_path(second.file.path, context=import_file_context(second))
    assert stage_registration_import(registration_import=second).state == ImportState.FAILED


# Export files ----------------------------------------------------------------------------------------------


def test_an_export_is_stored_sealed_and_downloads_in_clear(
    client, clerk, operation, django_capture_on_commit_callbacks
):
    person = _register(operation, "Amal")
    with django_capture_on_commit_callbacks(execute=True):
        job = export_people(acting_user=clerk, operation=operation, request=ExportRequest(personal=True))
    job.refresh_from_db()
    assert job.state == "succeeded", job.errors
    stored = Path(job.result_file.path).read_bytes()
    assert stored.startswith(file_crypto.MAGIC) and b"Amal" not in stored and person.reference.encode() not in stored
    sign_in(client, clerk)
    download = client.get(f"/jobs/{job.pk}/result/")
    content = b"".join(download.streaming_content)
    assert int(download["Content-Length"]) == len(content)
    assert download["Content-Disposition"].startswith("attachment") and ".csv" in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[1][0] == person.reference and "Amal" in rows[1]
    Path(job.result_file.path).write_bytes(stored[:-1])  # cut short on disk
    refused = client.get(f"/jobs/{job.pk}/result/", follow=True)
    assert refused.redirect_chain[-1][0] == f"/jobs/{job.pk}/"
    assert "could not be decrypted" in refused.content.decode()


# Key rotation ----------------------------------------------------------------------------------------------


def _register(operation, name: str) -> Person:
    household = register_household_with(operation, name)
    return household.members.get().person


def register_household_with(operation, name: str) -> Household:
    from passage.registry.actions import register_household

    return register_household(
        acting_user=None,
        operation=operation,
        members=[
            PersonInput(
                relationship="head",
                consent=YES,
                given_name_latin=name,
                sex="female",
                phones=["0770 123 4567"],
                documents=[DocumentInput(type="passport", number="A1234567", issuing_country="IQ")],
            )
        ],
    )


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, format="PNG")
    return out.getvalue()


def _raw_tokens(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")  # noqa: S608 (test, fixed names)
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def key_a(settings):
    settings.ENCRYPTION_KEYS = [_key()]
    return settings.ENCRYPTION_KEYS[0]


@pytest.fixture
def sealed_with_a(key_a, clerk, operation, django_capture_on_commit_callbacks):
    """Everything the registry seals, sealed with key A: documents, phones, a photo, an import file (and its
    staged rows), an export file."""
    person = _register(operation, "Amina")
    person = person_actions.set_photo(person=person, acting_user=clerk, data=_png())
    upload = upload_registration_import(
        acting_user=clerk, operation=operation, filename="kobo.csv", content=_households_csv(5)
    )
    staged = stage_registration_import(registration_import=upload)
    with django_capture_on_commit_callbacks(execute=True):
        export = export_people(acting_user=clerk, operation=operation, request=ExportRequest(personal=True))
    return {"person": person, "import": staged, "export": Job.objects.get(pk=export.pk), "key": key_a}


def test_rotation_moves_documents_phones_photo_import_and_export_files_to_the_new_key(
    settings, sealed_with_a, operation, capsys
):
    key_a = sealed_with_a["key"]
    a_id = crypto.current_key_id()
    key_b = _key()
    settings.ENCRYPTION_KEYS = [key_b, key_a]
    b_id = crypto.current_key_id()
    person, staged, export = sealed_with_a["person"], sealed_with_a["import"], sealed_with_a["export"]
    phone_index = Phone.objects.get(person=person).number_index

    assert cli.main(["keys", "status"]) == 1
    out = capsys.readouterr().out
    assert f"{a_id}  (key 2, older: still needed)" in out and "registry.phone.number" in out
    assert "registry.person.photo" in out and "registry.registrationimport.file" in out

    assert cli.main(["keys", "rotate"]) == 0
    out = capsys.readouterr().out
    assert f"Re-encrypting with key {b_id}" in out and "Re-encrypted" in out
    job = Job.objects.get(kind="core.reencrypt")
    assert job.state == "succeeded" and not job.result.get("unreadable")
    assert job.result["values_reencrypted"] >= 3 + 5  # phone (2 columns), document, staged rows
    assert job.result["files_resealed"] == 3  # the photo, the import file, the export file
    assert AuditEvent.objects.filter(action="keys.rotate", object_id=str(job.pk)).exists()
    rotated = AuditEvent.objects.get(action="keys.rotated", object_id=str(job.pk))
    assert rotated.changes["files_resealed"] == [None, 3]

    for table, column in [
        ("registry_phone", "number"),
        ("registry_phone", "as_given"),
        ("registry_identitydocument", "number"),
        ("registry_stagedrow", "sealed_values"),
    ]:
        tokens = _raw_tokens(table, column)
        assert tokens and all(crypto.key_id_of(token) == b_id for token in tokens), (table, column)

    settings.ENCRYPTION_KEYS = [key_b]  # the old key removed: everything still opens
    assert cli.main(["keys", "status"]) == 0
    assert "Everything is under the current key." in capsys.readouterr().out
    assert Phone.objects.get(person=person).number == "+9647701234567"
    assert Phone.objects.get(person=person).number_index == phone_index  # blind indexes are not rotated
    assert IdentityDocument.objects.get(person=person).number == "A1234567"
    assert person_actions.open_photo(Person.objects.get(pk=person.pk)).startswith(b"\x89PNG")
    again = stage_registration_import(registration_import=RegistrationImport.objects.get(pk=staged.pk))
    assert (again.state, again.rows_total) == (ImportState.VALIDATED, 5)
    assert b"Amina" in open_result(export).read()


def test_rotation_seals_files_stored_in_clear_and_skips_what_is_current(settings, key_a, clerk, operation, capsys):
    legacy = RegistrationImport(operation=operation, filename="old.csv", created_by=clerk)
    legacy.file.save("old.csv", ContentFile(_households_csv(2)), save=True)
    assert cli.main(["keys", "status"]) == 1
    assert "in clear" in capsys.readouterr().out
    job = rotate_keys(acting_user=None)
    execute(job.pk)
    job.refresh_from_db()
    assert job.result["files_sealed_from_clear"] == 1 and job.result.get("values_reencrypted", 0) == 0
    assert _stored(legacy).startswith(file_crypto.MAGIC)
    assert read_import_file(legacy).header[0] == "household_id"
    assert cli.main(["keys", "status"]) == 0


def test_a_stopped_rotation_resumes_from_its_checkpoint(settings, sealed_with_a, monkeypatch):
    from passage.core import rotation

    settings.ENCRYPTION_KEYS = [_key(), sealed_with_a["key"]]
    monkeypatch.setattr(rotation, "BATCH", 2)
    calls = {"n": 0}
    original = crypto.reencrypt

    def stop_after_a_few(token: str, *, context: str = "") -> str:
        calls["n"] += 1
        if calls["n"] == 6:
            raise RuntimeError("the worker was stopped")
        return original(token, context=context)

    to_move = rotation.key_status().to_move
    monkeypatch.setattr(crypto, "reencrypt", stop_after_a_few)
    job = rotate_keys(acting_user=None)
    execute(job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and job.checkpoint["done"] > 0
    moved_before = job.checkpoint["counts"]["values_reencrypted"]
    assert 0 < moved_before < to_move

    resumed = rotate_keys(acting_user=None)
    assert resumed.pk == job.pk and resumed.state == "queued"
    assert AuditEvent.objects.filter(action="keys.rotate", object_id=str(job.pk), note="resumed").exists()
    execute(resumed.pk)
    resumed.refresh_from_db()
    assert resumed.state == "succeeded", resumed.errors
    assert rotation.key_status().to_move == 0
    moved = resumed.result["values_reencrypted"] + resumed.result["files_resealed"]
    assert moved == to_move  # nothing done twice, nothing left out


def test_a_value_sealed_with_a_key_no_longer_listed_is_named_not_fatal(settings, key_a, operation, capsys):
    _register(operation, "Halima")
    lost = _key()
    settings.ENCRYPTION_KEYS = [lost]
    orphan = crypto.encrypt("+252615551234", context="registry.phone.number")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_phone SET number = %s", [orphan])
    settings.ENCRYPTION_KEYS = [_key(), key_a]
    assert cli.main(["keys", "status"]) == 1
    assert "NOT in PASSAGE_ENCRYPTION_KEYS" in capsys.readouterr().out
    assert cli.main(["keys", "rotate"]) == 1
    err = capsys.readouterr().err
    assert "could not be read" in err and "registry.phone.number" in err
    job = Job.objects.get(kind="core.reencrypt")
    assert job.state == "succeeded" and job.result["unreadable"] == 1
    assert job.result["values_reencrypted"] == 2  # the document and the phone as given moved all the same


def test_only_a_platform_administrator_may_rotate_keys(administrator, key_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        rotate_keys(acting_user=administrator)


def test_rotate_queue_leaves_the_work_to_the_worker_and_never_starts_a_second_job(settings, key_a, operation, capsys):
    _register(operation, "Sahra")
    settings.ENCRYPTION_KEYS = [_key(), key_a]
    assert cli.main(["keys", "rotate", "--queue"]) == 0
    assert "Queued for the background worker" in capsys.readouterr().out
    job = Job.objects.get(kind="core.reencrypt")
    assert job.state == "queued"  # the worker takes it after the commit
    assert rotate_keys(acting_user=None).pk == job.pk  # one rotation at a time
    assert cli.main(["keys", "rotate", "--operation", "nowhere"]) == 1
    assert "No operation with code 'nowhere'" in capsys.readouterr().err
