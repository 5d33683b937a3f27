"""The duplicate hold of a registration import: checked before approval against itself and the registry, held
above the operation's ceiling, added anyway only with a reason (audited) by a role that may, in the browser,
the API and the CLI alike; the resembling person named only to those who may see them; the import's own run
queued once its people are registered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from passage import cli
from passage.conftest import sign_in
from passage.core import actions as core_actions
from passage.core.models import AuditEvent
from passage.core.tests.factories import OfficeFactory, member_of
from passage.matching.models import CandidatePair, MatchRun, MatchSettings, RunState
from passage.registry.actions import register_household
from passage.registry.import_actions import (
    queue_commit,
    stage_registration_import,
    upload_registration_import,
)
from passage.registry.models import ImportState, Person, RegistrationImport
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput

PEOPLE = [
    ("Layla", "Karim", "Saeed", "Haddad", "female", "1990-05-04", "0771 555 0101", "A1000001"),
    ("Omar", "Yusuf", "Salim", "Barzani", "male", "1978-11-23", "0772 555 0202", "A1000002"),
    ("Zainab", "Hamid", "Jafar", "Kadhim", "female", "2001-02-14", "0773 555 0303", "A1000003"),
    ("Khalid", "Nasser", "Fadel", "Obeidi", "male", "1965-08-30", "0774 555 0404", "A1000004"),
    ("Mariam", "Adel", "Qasim", "Shammari", "female", "1995-12-09", "0775 555 0505", "A1000005"),
    ("Yousef", "Tariq", "Majid", "Dulaimi", "male", "1988-04-17", "0776 555 0606", "A1000006"),
]
NEWCOMERS = [
    ("Huda", "Sami", "Raad", "Tamimi", "female", "1972-07-01", "0777 555 0707", "B2000001"),
    ("Bilal", "Faris", "Ghanim", "Azzawi", "male", "2005-09-12", "0778 555 0808", "B2000002"),
    ("Samira", "Jawad", "Hadi", "Rubaie", "female", "1983-03-21", "0779 555 0909", "B2000003"),
    ("Tariq", "Munir", "Aziz", "Janabi", "male", "1969-10-05", "0750 555 1010", "B2000004"),
    ("Rasha", "Fuad", "Nuri", "Sudani", "female", "1999-01-30", "0751 555 1111", "B2000005"),
    ("Hassan", "Latif", "Jamil", "Ameri", "male", "1992-06-11", "0752 555 1212", "B2000006"),
]
HEADER = (
    "household_id,relationship,given_name,father_name,grandfather_name,family_name,sex,birth_date,phone,"
    "document_type,document_number,document_country,consent\n"
)
REASON = "Returnees registered again on purpose after the 2024 verification round"


def _csv(people) -> bytes:
    """Each person heads their own household; phones written the international way, documents with spaces."""
    lines = [
        f"HH{n},head,{given},{father},{grandfather},{family},{sex},{born},+964 {phone[1:]},passport,"
        f"{document[:3]} {document[3:]},IQ,yes"
        for n, (given, father, grandfather, family, sex, born, phone, document) in enumerate(people)
    ]
    return (HEADER + "\n".join(lines) + "\n").encode()


@pytest.fixture
def office(operation):
    return OfficeFactory(operation=operation)


@pytest.fixture
def registered(operation, office):
    """PEOPLE, registered by hand in `office` (not from a file: no fingerprint can recognise them)."""
    clerk = member_of(operation, "registration_clerk", offices=[office])
    for given, father, grandfather, family, sex, born, phone, document in PEOPLE:
        register_household(
            acting_user=clerk,
            operation=operation,
            office=office,
            members=[
                PersonInput(
                    relationship="head",
                    consent=ConsentInput(granted=True, method="verbal"),
                    given_name_latin=given,
                    father_name_latin=father,
                    grandfather_name_latin=grandfather,
                    family_name_latin=family,
                    sex=sex,
                    birth_date=dt.date.fromisoformat(born),
                    birth_date_precision="day",
                    phones=[phone],
                    documents=[DocumentInput(type="passport", number=document, issuing_country="IQ")],
                )
            ],
        )
    return {p.given_name_latin: p for p in Person.objects.filter(operation=operation)}


@pytest.fixture
def registrar(operation):
    """A registration clerk of the whole operation."""
    return member_of(operation, "registration_clerk")


@pytest.fixture
def elsewhere(operation):
    """A registration clerk limited to another office: may handle imports, may not see the people of `office`."""
    return member_of(operation, "registration_clerk", offices=[OfficeFactory(operation=operation)])


def _staged(operation, content: bytes, user=None) -> RegistrationImport:
    upload = upload_registration_import(acting_user=user, operation=operation, filename="list.csv", content=content)
    return stage_registration_import(registration_import=upload)


@pytest.fixture
def held(registered, operation):
    """Five of the six registered people again, with one newcomer: 5 of 6 new rows look like someone."""
    return _staged(operation, _csv(PEOPLE[:5] + NEWCOMERS[:1]))


def test_an_import_of_people_already_registered_is_held(held, registered):
    assert held.state == ImportState.VALIDATED and held.rows_valid == 6
    assert held.held_for_review and held.awaits_duplicates_decision
    assert held.rows_with_duplicates == 5 and held.duplicate_share == pytest.approx(5 / 6, abs=1e-3)
    assert held.duplicate_ceiling == 0.05 and held.duplicates_checked_at is not None
    alike = {row.row_number: row for row in held.rows.filter(duplicate_probability__isnull=False)}
    assert sorted(alike) == [2, 3, 4, 5, 6]  # the header is row 1; the newcomer (row 7) resembles nobody
    assert alike[2].duplicate_person == registered["Layla"] and alike[2].duplicate_probability >= 0.9
    assert alike[6].duplicate_person == registered["Mariam"]
    event = AuditEvent.objects.get(action="registration_import.staged", object_id=str(held.pk))
    assert event.changes["held_for_review"] == [None, True]


def test_a_clean_import_is_not_held(registered, operation, registrar, django_capture_on_commit_callbacks):
    clean = _staged(operation, _csv(NEWCOMERS))
    assert clean.duplicates_checked_at is not None and clean.duplicate_share == 0.0
    assert not clean.held_for_review and clean.rows_with_duplicates == 0
    assert not clean.rows.filter(duplicate_probability__isnull=False).exists()
    with django_capture_on_commit_callbacks(execute=True):
        queue_commit(acting_user=registrar, registration_import=clean)
    clean.refresh_from_db()
    assert clean.state == ImportState.COMMITTED and clean.people_created == 6


def test_two_rows_of_one_file_alike_are_found_too(operation, registered):
    twice = _staged(operation, _csv([*NEWCOMERS[:3], NEWCOMERS[0]]))
    alike = {row.row_number: row.duplicate_row for row in twice.rows.filter(duplicate_probability__isnull=False)}
    assert alike == {2: 5, 5: 2} and twice.held_for_review  # 2 of 4 rows


def test_the_ceiling_is_the_operations(registered, operation):
    MatchSettings.objects.create(operation=operation, import_ceiling_share=0.9)
    staged = _staged(operation, _csv(PEOPLE[:5] + NEWCOMERS[:1]))
    assert staged.duplicate_share > 0.8 and staged.duplicate_ceiling == 0.9 and not staged.held_for_review


def test_approving_a_held_import_needs_a_reason_and_a_role_that_may(
    held, administrator, registrar, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError, match="held for review") as refused:
        queue_commit(acting_user=administrator, registration_import=held)
    assert "accept_duplicates" in refused.value.message_dict
    with pytest.raises(ValidationError):
        queue_commit(acting_user=administrator, registration_import=held, accept_duplicates="   ")
    with pytest.raises(PermissionDenied):  # a clerk registers people; reviewing their duplicates is not theirs
        queue_commit(acting_user=registrar, registration_import=held, accept_duplicates=REASON)
    held.refresh_from_db()
    assert held.state == ImportState.VALIDATED and held.duplicates_accepted_at is None
    assert not AuditEvent.objects.filter(action="registration_import.accept_duplicates").exists()

    with django_capture_on_commit_callbacks(execute=True):
        queue_commit(acting_user=administrator, registration_import=held, accept_duplicates=REASON)
    held.refresh_from_db()
    assert held.state == ImportState.COMMITTED and held.people_created == 6
    assert held.duplicates_accepted_by == administrator and held.duplicates_accepted_reason == REASON
    event = AuditEvent.objects.get(action="registration_import.accept_duplicates", object_id=str(held.pk))
    assert event.note == REASON and event.actor_id == administrator.pk
    assert event.changes["rows_with_duplicates"] == [None, 5]
    # Once registered, the import's own run put its pairs in the review queue.
    run = MatchRun.objects.get(registration_import=held)
    assert run.scope == "import" and run.state == RunState.DONE and run.started_by is None
    imported = set(Person.objects.filter(source_import=held).values_list("pk", flat=True))
    pairs = CandidatePair.objects.filter(run=run)
    assert pairs.count() >= 5 and all({p.person_a_id, p.person_b_id} & imported for p in pairs)


def test_the_page_shows_the_hold_and_names_the_look_alike_only_to_who_may_see_them(
    client, held, registered, administrator, elsewhere
):
    sign_in(client, administrator)
    page = client.get(f"/registry/imports/{held.pk}/?outcome=duplicates").content.decode()
    assert 'data-testid="import-held"' in page and 'data-testid="accept-duplicates-form"' in page
    assert "83%" in page and registered["Layla"].reference in page
    assert page.count('data-testid="looks-like"') == 5
    assert 'data-bs-target="#approve-dialog"' not in page  # the plain approval is not offered
    assert 'data-testid="import-held-badge"' in client.get("/registry/imports/").content.decode()

    client.logout()
    sign_in(client, elsewhere)
    page = client.get(f"/registry/imports/{held.pk}/?outcome=duplicates").content.decode()
    assert 'data-testid="import-held"' in page and page.count('data-testid="looks-like"') == 5
    assert "whom you may not see" in page
    assert not any(person.reference in page for person in registered.values())


def test_approving_anyway_in_the_browser(client, held, administrator, django_capture_on_commit_callbacks):
    sign_in(client, administrator)
    answer = client.post(f"/registry/imports/{held.pk}/approve/", {"accept_duplicates": ""})
    assert answer.status_code == 200 and "This field is required" in answer.content.decode()
    answer = client.post(f"/registry/imports/{held.pk}/approve/", follow=True)
    assert "held for review" in answer.content.decode()
    held.refresh_from_db()
    assert held.state == ImportState.VALIDATED
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/registry/imports/{held.pk}/approve/", {"accept_duplicates": REASON})
    assert answer.status_code == 302
    held.refresh_from_db()
    assert held.state == ImportState.COMMITTED and held.duplicates_accepted_reason == REASON
    page = client.get(f"/registry/imports/{held.pk}/").content.decode()
    assert 'data-testid="duplicates-accepted"' in page and REASON in page


def _api(client, user, method: str, path: str, body=None):
    _token, plaintext = core_actions.create_api_token(acting_user=user, name="test")
    kwargs = {"headers": {"Authorization": f"Bearer {plaintext}"}}
    if method == "post":
        kwargs.update(data=body or {}, content_type="application/json")
    return getattr(client, method)(f"/api/v1{path}", **kwargs)


def test_the_api_reports_the_hold_and_refuses_without_a_reason(
    client, held, registered, administrator, elsewhere, django_capture_on_commit_callbacks
):
    status = _api(client, administrator, "get", f"/imports/{held.pk}").json()["duplicates"]
    assert status["held"] and status["awaiting_decision"] and status["rows"] == 5 and status["ceiling"] == 0.05
    rows = _api(client, administrator, "get", f"/imports/{held.pk}/rows?duplicates=true").json()
    assert rows["count"] == 5 and rows["items"][0]["looks_like"]["person_reference"] == registered["Layla"].reference
    hidden = _api(client, elsewhere, "get", f"/imports/{held.pk}/rows?duplicates=true").json()["items"][0]
    assert hidden["looks_like"]["person_hidden"] and hidden["looks_like"]["person_id"] is None
    refused = _api(client, administrator, "post", f"/imports/{held.pk}/approve")
    assert refused.status_code == 409, refused.content
    assert "held for review" in refused.json()["detail"]
    with django_capture_on_commit_callbacks(execute=True):
        approved = _api(client, administrator, "post", f"/imports/{held.pk}/approve", {"accept_duplicates": REASON})
    assert approved.status_code == 200 and approved.json()["duplicates"]["accepted_reason"] == REASON


def test_the_cli_refuses_a_held_import_unless_told_why(registered, operation, tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_bytes(_csv(PEOPLE[:5] + NEWCOMERS[:1]))
    before = Person.objects.count()
    assert cli.main(["import", str(path), "--operation", operation.code, "--commit"]) == 1
    said = capsys.readouterr()
    assert "held for review" in said.err and "--accept-duplicates" in said.err
    assert "row 2 looks like" in said.out and Person.objects.count() == before
    assert (
        cli.main(["import", str(path), "--operation", operation.code, "--commit", "--accept-duplicates", REASON]) == 0
    )
    assert Person.objects.count() == before + 6
    event = AuditEvent.objects.get(action="registration_import.accept_duplicates")
    assert event.note == REASON and event.actor_id is None and event.actor_username == "system"
