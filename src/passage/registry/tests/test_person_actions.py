"""After registration: corrections, status, household moves, consent and photo, as the people who do them."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone
from PIL import Image

from passage.core.models import AuditEvent
from passage.core.tests.factories import OfficeFactory, member_of
from passage.registry import person_actions as actions
from passage.registry.actions import register_household
from passage.registry.models import Consent, Household, HouseholdMember, Person
from passage.registry.person_actions import PersonChangedMeanwhile
from passage.registry.queries import search_people
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput

YES = ConsentInput(granted=True, method="verbal", other_purposes={"sharing": True, "follow_up": True})
TODAY = dt.date.today


@pytest.fixture
def office(operation):
    return OfficeFactory(operation=operation, name="Erbil")


@pytest.fixture
def clerk(operation, office):
    """A registration clerk of the Erbil office."""
    return member_of(operation, "registration_clerk", offices=[office])


@pytest.fixture
def family(operation, office) -> Household:
    return register_household(
        acting_user=None,
        operation=operation,
        office=office,
        members=[
            PersonInput(
                relationship="head",
                consent=YES,
                given_name="محمد",
                given_name_latin="Mohammed",
                family_name_latin="Al-Jubouri",
                sex="male",
                birth_date=dt.date(1985, 3, 17),
                phones=["0770 123 4567"],
                documents=[DocumentInput(type="passport", number="A1234567", issuing_country="IQ")],
            ),
            PersonInput(relationship="spouse", consent=YES, given_name_latin="Fatima", sex="female", age_years=34),
            PersonInput(relationship="son", consent=YES, given_name_latin="Ali", sex="male", age_years=7),
        ],
    )


@pytest.fixture
def neighbours(operation, office) -> Household:
    return register_household(
        acting_user=None,
        operation=operation,
        office=office,
        members=[PersonInput(relationship="head", consent=YES, given_name_latin="Hassan", sex="male")],
    )


def member(household: Household, relationship: str) -> Person:
    return household.members.get(relationship=relationship, left_on__isnull=True).person


def jpeg_with_exif() -> bytes:
    """A 40x20 photo taken 'sideways' (EXIF orientation 6) by a camera that wrote its name and a GPS block."""
    image = Image.new("RGB", (40, 20), "red")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° to show upright
    exif[0x8825] = {1: "N", 2: (36.0, 11.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


# --- corrections ----------------------------------------------------------------------------------------------


def test_clerk_corrects_names_birth_phones_and_documents_by_the_registration_rules(clerk, family, operation):
    head = member(family, "head")
    updated = actions.update_person(
        person=head,
        acting_user=clerk,
        version=head.version,
        values={
            "family_name_latin": " Al-Jabouri ",
            "birth_date": dt.date(1985, 3, 1),
            "birth_date_precision": "month",
            "nationalities": ["iq"],
            "languages": ["AR", "ckb"],
            "marital_status": "married",
            "disability": {"seeing": 2},
            "phones": ["0750 555 1234", "0770 123 4567"],
            "documents": [{"type": "national_id", "number": "ab-88 7766", "issuing_country": "iq"}],
        },
    )
    assert updated.version == head.version + 1
    assert updated.family_name_latin == "Al-Jabouri" and " al-jabouri" in updated.search_names
    assert (updated.birth_date, updated.birth_date_precision) == (dt.date(1985, 3, 1), "month")
    assert updated.nationalities == ["IQ"] and updated.languages == ["ar", "ckb"]
    assert updated.disability == {"seeing": 2}
    assert [p.number for p in updated.phones.all()] == ["+9647505551234", "+9647701234567"]
    assert updated.phones.get(is_primary=True).number == "+9647505551234"
    document = updated.documents.get()
    assert (document.type, document.number, document.issuing_country) == ("national_id", "AB887766", "IQ")
    # The blind indexes follow: the new number finds the person, the passport no longer does.
    assert list(search_people(clerk, operation, "AB887766")) == [updated]
    assert list(search_people(clerk, operation, "A1234567")) == []
    assert list(search_people(clerk, operation, "+964 750 555 1234")) == [updated]
    event = AuditEvent.objects.get(action="person.update", object_id=str(head.pk))
    assert event.actor_id == clerk.pk
    assert event.changes["family_name_latin"] == ["Al-Jubouri", "Al-Jabouri"]
    assert event.changes["version"] == [1, 2]
    assert event.changes["phones"] == ["[redacted]", "[redacted]"]
    assert event.changes["documents"] == ["[redacted]", "[redacted]"]
    assert "A1234567" not in str(event.changes) and "AB887766" not in str(event.changes)


def test_a_correction_refused_by_the_registration_rules_names_the_field_and_changes_nothing(clerk, family):
    head = member(family, "head")
    with pytest.raises(ValidationError) as refused:
        actions.update_person(
            person=head,
            acting_user=clerk,
            version=1,
            values={
                "given_name": "",
                "given_name_latin": "",
                "family_name_latin": "",
                "phones": ["12"],
                "nationalities": ["Iraq"],
                "birth_date": TODAY() + dt.timedelta(days=3),
                "marital_status": "complicated",
            },
        )
    errors = refused.value.message_dict
    assert set(errors) == {"given_name", "phones[0]", "nationalities", "birth_date", "marital_status"}
    assert "at least one name" in errors["given_name"][0]
    head.refresh_from_db()
    assert head.given_name_latin == "Mohammed" and head.version == 1 and head.phones.count() == 1


def test_an_estimated_age_is_kept_when_the_birth_date_is_not_part_of_the_correction(clerk, family):
    spouse = member(family, "spouse")
    estimated = (spouse.birth_date, spouse.birth_date_precision, spouse.age_estimated_on)
    actions.update_person(person=spouse, acting_user=clerk, version=1, values={"family_name_latin": "Hussein"})
    spouse.refresh_from_db()
    assert (spouse.birth_date, spouse.birth_date_precision, spouse.age_estimated_on) == estimated


def test_nothing_changed_is_no_new_version_and_no_event(clerk, family):
    head = member(family, "head")
    same = actions.update_person(
        person=head, acting_user=clerk, version=1, values={"given_name_latin": "Mohammed", "phones": ["+9647701234567"]}
    )
    assert same.version == 1 and not AuditEvent.objects.filter(action="person.update").exists()


def test_an_edit_started_before_a_colleagues_change_is_refused_naming_what_changed(clerk, family, operation, office):
    colleague = member_of(operation, "registration_clerk", offices=[office])
    head = member(family, "head")
    opened_at = head.version
    actions.update_person(person=head, acting_user=colleague, version=opened_at, values={"family_name_latin": "Jubo"})
    with pytest.raises(PersonChangedMeanwhile) as conflict:
        actions.update_person(person=head, acting_user=clerk, version=opened_at, values={"given_name_latin": "Muha"})
    assert conflict.value.fields == ["family_name_latin"]
    assert colleague.username in str(conflict.value) and "family name (Latin letters)" in str(conflict.value)
    assert conflict.value.current_version == opened_at + 1
    head.refresh_from_db()
    assert head.given_name_latin == "Mohammed" and head.family_name_latin == "Jubo"


def test_only_people_who_may_register_may_correct_and_only_in_their_office(family, operation, persona):
    head = member(family, "head")
    for user in (
        persona("finance_officer"),  # sees the registry, may not change it
        member_of(operation, "registration_clerk", offices=[OfficeFactory(operation=operation)]),  # another office
    ):
        with pytest.raises(PermissionDenied):
            actions.update_person(person=head, acting_user=user, version=1, values={"given_name_latin": "X"})
    assert Person.objects.get(pk=head.pk).given_name_latin == "Mohammed"


# --- status ---------------------------------------------------------------------------------------------------


def test_clerk_records_a_death_with_its_date_and_a_withdrawal_with_its_reason(clerk, family):
    head, spouse = member(family, "head"), member(family, "spouse")
    with pytest.raises(ValidationError) as refused:
        actions.set_person_status(person=head, acting_user=clerk, status="deceased")
    assert "date of death" in refused.value.message_dict["on"][0]
    with pytest.raises(ValidationError):
        actions.set_person_status(person=head, acting_user=clerk, status="deceased", on=dt.date(1970, 1, 1))
    died = actions.set_person_status(person=head, acting_user=clerk, status="deceased", on=dt.date(2024, 5, 2))
    assert (died.status, died.status_on, died.version) == ("deceased", dt.date(2024, 5, 2), 2)
    with pytest.raises(ValidationError) as refused:
        actions.set_person_status(person=spouse, acting_user=clerk, status="withdrawn")
    assert "reason" in refused.value.message_dict
    gone = actions.set_person_status(person=spouse, acting_user=clerk, status="withdrawn", reason="Moved abroad")
    assert gone.status_reason == "Moved abroad"
    event = AuditEvent.objects.filter(action="person.status", object_id=str(spouse.pk)).get()
    assert event.changes["status"] == ["active", "withdrawn"] and event.note == "Moved abroad"


def test_merging_is_not_a_status_a_clerk_sets(clerk, family):
    with pytest.raises(ValidationError) as refused:
        actions.set_person_status(person=member(family, "head"), acting_user=clerk, status="merged")
    assert "duplicates" in refused.value.message_dict["status"][0]
    head = member(family, "head")
    head.status = "merged"
    with pytest.raises(IntegrityError):
        head.save()  # the model still wants the record it was merged into


# --- households over time ---------------------------------------------------------------------------------------


def test_a_son_moves_to_the_neighbours_and_both_households_keep_their_history(clerk, family, neighbours):
    son = member(family, "son")
    joined = actions.move_person(
        person=son, acting_user=clerk, to_household=neighbours, relationship="other_relative", on=TODAY()
    )
    memberships = list(son.household_memberships.order_by(F("left_on").asc(nulls_last=True)))
    assert [(m.household_id, m.left_on) for m in memberships] == [(family.pk, TODAY()), (neighbours.pk, None)]
    assert joined.relationship == "other_relative"
    assert AuditEvent.objects.filter(action="person.move", object_id=str(son.pk)).get().changes["household"] == [
        family.reference,
        neighbours.reference,
    ]
    assert AuditEvent.objects.filter(action="household.member_left", object_id=str(family.pk)).exists()
    assert AuditEvent.objects.filter(action="household.member_joined", object_id=str(neighbours.pk)).exists()


def test_a_household_keeps_exactly_one_head_through_moves(clerk, family, neighbours):
    head, spouse = member(family, "head"), member(family, "spouse")
    with pytest.raises(ValidationError) as refused:
        actions.move_person(person=head, acting_user=clerk, to_household=neighbours, relationship="brother", on=TODAY())
    assert "name a new head there first" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        actions.move_person(person=spouse, acting_user=clerk, to_household=neighbours, relationship="head", on=TODAY())
    assert "already has a head" in refused.value.message_dict["relationship"][0]
    actions.change_head(household=family, new_head=spouse, acting_user=clerk, former_head_relationship="spouse")
    assert member(family, "head") == spouse
    actions.move_person(person=head, acting_user=clerk, relationship="head", on=TODAY())  # a household of his own
    for household in Household.objects.all():
        heads = household.members.filter(left_on__isnull=True, relationship="head").count()
        assert heads == 1, household.reference
    own = head.household_memberships.get(left_on__isnull=True).household
    assert own.office == family.office and own != family
    event = AuditEvent.objects.get(action="household.head", object_id=str(family.pk))
    assert event.changes["head"] == [head.reference, spouse.reference]


def test_leaving_ends_the_membership_and_a_date_before_joining_is_refused(clerk, family):
    son = member(family, "son")
    with pytest.raises(ValidationError):
        actions.leave_household(person=son, acting_user=clerk, on=dt.date(2000, 1, 1))
    actions.leave_household(person=son, acting_user=clerk, on=TODAY(), note="Went to study in Baghdad")
    assert not son.household_memberships.filter(left_on__isnull=True).exists()
    with pytest.raises(ValidationError, match="not a member of any household"):
        actions.leave_household(person=son, acting_user=clerk, on=TODAY())


def test_a_household_of_another_operation_cannot_take_the_person(clerk, family, other_operation):
    foreign = register_household(
        acting_user=None,
        operation=other_operation,
        members=[PersonInput(relationship="head", consent=YES, given_name_latin="Omar")],
    )
    with pytest.raises(PermissionDenied):
        actions.move_person(
            person=member(family, "son"), acting_user=clerk, to_household=foreign, relationship="son", on=TODAY()
        )


def test_the_database_refuses_a_second_head_even_past_the_actions(family):
    spouse_membership = family.members.get(relationship="spouse")
    spouse_membership.relationship = "head"
    with pytest.raises(IntegrityError):
        spouse_membership.save()


# --- consent ----------------------------------------------------------------------------------------------------


def test_withdrawing_consent_to_registration_ends_every_consent_and_marks_the_person_withdrawn(clerk, family):
    head = member(family, "head")
    registration = head.consents.get(purpose="registration")
    actions.withdraw_consent(consent=registration, acting_user=clerk, note="Said so at the helpdesk")
    head.refresh_from_db()
    assert head.status == "withdrawn" and head.status_reason == "Said so at the helpdesk" and head.version == 2
    assert head.consents.filter(withdrawn_at__isnull=True).count() == 0
    registration.refresh_from_db()
    assert registration.withdrawn_by == clerk and registration.withdrawal_note == "Said so at the helpdesk"
    event = AuditEvent.objects.get(action="person.consent_withdrawn", object_id=str(head.pk))
    assert event.changes["consent.sharing"] == ["granted", "withdrawn"] and event.changes["status"][1] == "withdrawn"
    with pytest.raises(ValidationError, match="already withdrawn"):
        actions.withdraw_consent(consent=registration, acting_user=clerk)
    # Consent given again: the record is active again.
    actions.record_consent(person=head, acting_user=clerk, purpose="registration", granted=True, method="written")
    head.refresh_from_db()
    assert head.status == "active"


def test_a_new_decision_is_recorded_with_who_and_how_and_replaces_the_earlier_one(clerk, family):
    son = member(family, "son")
    with pytest.raises(ValidationError) as refused:
        actions.record_consent(person=son, acting_user=clerk, purpose="research", granted=True, method="proxy")
    assert "Name the proxy" in refused.value.message_dict["proxy_name"][0]
    with pytest.raises(ValidationError) as refused:
        actions.record_consent(person=son, acting_user=clerk, purpose="gossip", granted=True, method="verbal")
    assert "purpose" in refused.value.message_dict
    with pytest.raises(ValidationError, match="withdraws their consent"):
        actions.record_consent(person=son, acting_user=clerk, purpose="registration", granted=False, method="verbal")
    decision = actions.record_consent(
        person=son, acting_user=clerk, purpose="research", granted=True, method="proxy", proxy_name="Fatima, mother"
    )
    assert (decision.recorded_by, decision.method, decision.proxy_name) == (clerk, "proxy", "Fatima, mother")
    earlier_sharing = son.consents.get(purpose="sharing")
    actions.record_consent(person=son, acting_user=clerk, purpose="sharing", granted=False, method="verbal")
    with pytest.raises(ValidationError, match="later decision"):
        actions.withdraw_consent(consent=earlier_sharing, acting_user=clerk)
    assert actions.current_decisions(son)["sharing"].granted is False


def test_a_withdrawal_cannot_be_dated_in_the_future(clerk, family):
    consent = member(family, "spouse").consents.get(purpose="sharing")
    with pytest.raises(ValidationError):
        actions.withdraw_consent(consent=consent, acting_user=clerk, withdrawn_at=timezone.now() + dt.timedelta(days=1))
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


# --- photo ------------------------------------------------------------------------------------------------------


def test_a_photo_is_stored_encrypted_and_stripped_of_exif(clerk, family, settings, django_capture_on_commit_callbacks):
    head = member(family, "head")
    updated = actions.set_photo(person=head, acting_user=clerk, data=jpeg_with_exif())
    stored = (Path(settings.MEDIA_ROOT) / updated.photo_file).read_bytes()
    assert not stored.startswith(b"\xff\xd8") and b"SecretCam" not in stored and b"JFIF" not in stored
    assert stored.startswith(b"v1.")
    photo = actions.open_photo(updated)
    assert photo.startswith(b"\xff\xd8\xff") and b"SecretCam" not in photo
    with Image.open(io.BytesIO(photo)) as image:
        assert image.size == (20, 40)  # turned upright before the orientation tag was dropped
        assert not image.getexif()
    assert updated.photo_content_type == "image/jpeg" and updated.version == 2
    # Replacing it removes the old file once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_photo(person=updated, acting_user=clerk, data=jpeg_with_exif())
    assert not (Path(settings.MEDIA_ROOT) / updated.photo_file).exists()
    with django_capture_on_commit_callbacks(execute=True):
        removed = actions.remove_photo(person=updated, acting_user=clerk)
    assert removed.photo_file == "" and not list((Path(settings.MEDIA_ROOT) / "registry" / "photos").iterdir())
    assert AuditEvent.objects.filter(action="person.photo_removed", object_id=str(head.pk)).exists()


def test_a_photo_file_copied_onto_another_record_does_not_open(clerk, family):
    from passage.core.crypto import DecryptionError

    head, spouse = member(family, "head"), member(family, "spouse")
    head = actions.set_photo(person=head, acting_user=clerk, data=jpeg_with_exif())
    Person.objects.filter(pk=spouse.pk).update(photo_file=head.photo_file, photo_content_type="image/jpeg")
    spouse.refresh_from_db()
    with pytest.raises(DecryptionError):
        actions.open_photo(spouse)


def test_png_is_accepted_and_anything_else_is_refused_by_its_content(clerk, family):
    head = member(family, "head")
    png = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(png, format="PNG")
    assert actions.set_photo(person=head, acting_user=clerk, data=png.getvalue()).photo_content_type == "image/png"
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    for data, message in (
        (b"%PDF-1.7 not a photo", "Only JPEG and PNG"),
        (gif.getvalue(), "Only JPEG and PNG"),
        (b"\xff\xd8\xff\xe0 truncated", "could not be read"),
        (b"\xff\xd8\xff" + b"\0" * (actions.PHOTO_MAX_BYTES + 1), "larger than"),
        (b"", "empty"),
    ):
        with pytest.raises(ValidationError, match=message):
            actions.set_photo(person=head, acting_user=clerk, data=data)
    head.refresh_from_db()
    assert head.photo_content_type == "image/png"


def test_a_role_that_may_not_register_may_not_add_a_photo(family, persona):
    with pytest.raises(PermissionDenied):
        actions.set_photo(person=member(family, "head"), acting_user=persona("data_protection_officer"), data=b"")


def test_membership_rows_are_never_deleted_by_moves(clerk, family, neighbours):
    son = member(family, "son")
    before = HouseholdMember.objects.count()
    actions.move_person(person=son, acting_user=clerk, to_household=neighbours, relationship="son", on=TODAY())
    assert HouseholdMember.objects.count() == before + 1
