"""What happens to a registered person: corrections, status, household moves, consent and photo.

Every change here is an action (keyword-only arguments, the acting user, one transaction, an audit event).
Corrections are checked by the registration's own rules (registration.check_members): a value refused at
registration is refused here, with the same message. A person's record carries a version: an edit names the
version it started from, and an edit that started before someone else's change is refused with what changed
meanwhile (PersonChangedMeanwhile), never saved over it.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.core import audit, crypto
from passage.core.access import can
from passage.core.models import AuditEvent, User
from passage.registry import live_checks
from passage.registry.actions import new_reference
from passage.registry.models import (
    Consent,
    ConsentPurpose,
    Household,
    HouseholdMember,
    IdentityDocument,
    Person,
    PersonStatus,
    Phone,
    Relationship,
)
from passage.registry.models.people import MaritalStatus
from passage.registry.names import NAME_FIELDS, search_names_of
from passage.registry.normalise import document_index
from passage.registry.registration import (
    ConsentInput,
    DocumentInput,
    PersonInput,
    _check_consent,
    check_members,
)

# What a correction may change (and what the audit event compares).
STORED_FIELDS = (
    *NAME_FIELDS,
    "other_names",
    "sex",
    "birth_date",
    "birth_date_precision",
    "age_estimated_on",
    "nationalities",
    "languages",
    "marital_status",
    "disability",
)
BIRTH_KEYS = ("birth_date", "birth_date_precision", "age_years")
# The keys update_person reads: the stored fields as PersonInput names them, phones and documents.
INPUT_KEYS = frozenset(
    {*NAME_FIELDS, "other_names", "sex", *BIRTH_KEYS, "nationalities", "languages", "marital_status", "disability"}
    | {"phones", "documents"}
)
SENSITIVE_KEYS = ("phones", "documents")
# check_members looks at a whole household; a correction is one person, so these keys are not about it.
_HOUSEHOLD_KEYS = ("members", "relationship", "consent")


class PersonChangedMeanwhile(Exception):
    """Someone changed the record after this edit started from `expected_version`. Nothing was saved."""

    def __init__(self, person: Person, expected_version: int, changes: list[dict[str, Any]]) -> None:
        self.person = person
        self.expected_version = expected_version
        self.current_version = person.version
        self.changes = changes  # each: at, by, fields
        super().__init__(self.message())

    @property
    def fields(self) -> list[str]:
        seen: list[str] = []
        for change in self.changes:
            seen.extend(name for name in change["fields"] if name not in seen)
        return seen

    def message(self) -> str:
        if not self.changes:
            return _(
                "Someone changed this record after you opened it (version %(old)s, now %(new)s). Nothing was saved: "
                "look at the record again and make your change once more."
            ) % {"old": self.expected_version, "new": self.current_version}
        described = "; ".join(
            _("%(by)s at %(at)s changed %(fields)s")
            % {
                "by": change["by"],
                "at": timezone.localtime(change["at"]).strftime("%Y-%m-%d %H:%M"),
                "fields": ", ".join(field_label(name) for name in change["fields"]) or _("the record"),
            }
            for change in self.changes
        )
        return _(
            "Someone changed this record after you opened it: %(changes)s. Nothing was saved: check those values "
            "and save again."
        ) % {"changes": described}


def field_label(name: str) -> str:
    """A field's name as people read it ('family_name_latin' -> 'family name (Latin letters)')."""
    try:
        return str(getattr(Person._meta.get_field(name), "verbose_name", name))
    except Exception:
        return {
            "phones": _("phones"),
            "documents": _("identity documents"),
            "photo": _("photo"),
        }.get(name, name.replace("_", " "))


# --- helpers ------------------------------------------------------------------------------------------------


def _require(user: User | None, record: Model) -> None:
    if user is not None and not can(user, "person.register", record):
        raise PermissionDenied("person.register")


def _locked(person: Person) -> Person:
    """The person as stored now, locked for this transaction."""
    return Person.objects.select_for_update(of=("self",)).select_related("operation").get(pk=person.pk)


def _refuse_closed(person: Person) -> None:
    if person.status == PersonStatus.MERGED:
        raise ValidationError(_("This record was merged into another one: change that record instead."))


def _check_version(person: Person, version: int | None) -> None:
    if version is not None and person.version != version:
        raise PersonChangedMeanwhile(person, version, changes_since(person, version))


def changes_since(person: Person, version: int) -> list[dict[str, Any]]:
    """Who changed which fields of the person after `version`, oldest first, read from the audit trail.

    Every change that moves the version records it ("version": [old, new]); a change recorded without it
    (an import's update) counts as one version."""
    missing = person.version - version
    found: list[dict[str, Any]] = []
    events = AuditEvent.objects.filter(object_type="registry.person", object_id=str(person.pk)).order_by("-id")
    for event in events[:200]:
        if missing <= 0:
            break
        changes = event.changes or {}
        bump = changes.get("version")
        if isinstance(bump, list) and len(bump) == 2 and isinstance(bump[1], int):
            if bump[1] <= version:
                break
            missing -= max(1, bump[1] - (bump[0] if isinstance(bump[0], int) else bump[1] - 1))
        elif event.action == "person.update":
            missing -= 1
        else:
            continue
        by = event.actor_username or _("system")
        found.append({"at": event.at, "by": by, "fields": [name for name in changes if name != "version"]})
    return list(reversed(found))


def _bump(person: Person, changes: dict[str, Any]) -> None:
    before = person.version
    person.version = before + 1
    changes["version"] = [before, person.version]


# --- corrections --------------------------------------------------------------------------------------------


@dataclass
class CheckedUpdate:
    """A correction that passed the rules: the stored values it leads to."""

    member: Any  # registration.CheckedPerson
    values: Mapping[str, Any]


def check_person_update(person: Person, values: Mapping[str, Any]) -> tuple[CheckedUpdate | None, dict[str, list]]:
    """Run the registration rules on the person as they would be after `values`; errors by field
    ('phones[0]', 'documents[1].number', 'birth_date', …). The wizard's live checks and update_person share it."""
    unknown = sorted(set(values) - INPUT_KEYS)
    if unknown:
        return None, {name: [_("This field cannot be changed here.")] for name in unknown}
    merged = {name: getattr(person, name) for name in (*NAME_FIELDS, "other_names", "sex")}
    merged |= {name: list(getattr(person, name)) for name in ("nationalities", "languages")}
    merged |= {"marital_status": person.marital_status, "disability": dict(person.disability)}
    merged |= {name: value for name, value in values.items() if name not in (*BIRTH_KEYS, "phones", "documents")}
    if any(key in values for key in BIRTH_KEYS):
        merged["birth_date"] = values.get("birth_date")
        merged["birth_date_precision"] = values.get("birth_date_precision") or ""
        merged["age_years"] = values.get("age_years")
    documents = [d if isinstance(d, DocumentInput) else DocumentInput(**d) for d in values.get("documents") or []]
    member = PersonInput(
        relationship=Relationship.HEAD,  # a correction does not touch the household or consent:
        consent=ConsentInput(granted=True, method="verbal"),  # these stand in so the rules pass over them
        **merged,
        phones=[p for p in values.get("phones") or [] if p.strip()],
        documents=documents,
    )
    checked, found = check_members([member], region=person.operation.country)
    errors: dict[str, list[str]] = {}
    for key, messages in found.items():
        name = key.removeprefix("members[0].")
        if name == key or name.split(".")[0] in _HOUSEHOLD_KEYS:
            continue
        errors[name] = list(messages)
    if "marital_status" in values and values["marital_status"] not in MaritalStatus.values:
        errors.setdefault("marital_status", [_("Unknown marital status.")])
    if errors:
        return None, errors
    return CheckedUpdate(checked[0], values), {}


@transaction.atomic
def update_person(
    *, person: Person, acting_user: User | None, version: int, values: Mapping[str, Any], note: str = ""
) -> Person:
    """Correct a person's record: names, sex, date of birth and its precision, nationalities, languages, marital
    status, Washington Group answers, phones and documents (given lists replace the stored ones). Only the keys
    in `values` change. `version` is the version the edit started from; if the record moved on since,
    PersonChangedMeanwhile says who changed what, and nothing is saved."""
    _require(acting_user, person)
    current = _locked(person)
    _refuse_closed(current)
    _check_version(current, version)
    checked, errors = check_person_update(current, values)
    if errors or checked is None:
        raise ValidationError(errors)
    data = checked.member.data
    before = audit.snapshot(current, STORED_FIELDS)
    for name in (*NAME_FIELDS, "sex", "marital_status"):
        if name in values:
            setattr(current, name, getattr(data, name).strip() if name in NAME_FIELDS else getattr(data, name))
    if "other_names" in values:
        current.other_names = [n.strip() for n in data.other_names if n.strip()]
    if "nationalities" in values:
        current.nationalities = [c.upper() for c in data.nationalities]
    if "languages" in values:
        current.languages = [c.lower() for c in data.languages]
    if "disability" in values:
        current.disability = dict(data.disability)
    if any(key in values for key in BIRTH_KEYS):
        member = checked.member
        current.birth_date, current.birth_date_precision = member.birth_date, member.precision
        current.age_estimated_on = member.age_estimated_on
    changes: dict[str, Any] = audit.diff(before, audit.snapshot(current, STORED_FIELDS))
    if "phones" in values and _replace_phones(current, checked.member.phones):
        changes["phones"] = [None, None]
    if "documents" in values and _replace_documents(current, checked.member.documents):
        changes["documents"] = [None, None]
    if not changes:
        return current
    current.search_names = search_names_of(current)
    _bump(current, changes)
    current.save()
    audit.record(acting_user, "person.update", current, changes=changes, sensitive=SENSITIVE_KEYS, note=note)
    live_checks.announce_changed(current.operation_id, [current.pk])
    return current


def _replace_phones(person: Person, phones: list[Any]) -> bool:
    """Store exactly these phones (the first primary); False when they are the ones already stored."""
    stored = list(person.phones.order_by("-is_primary", "id"))
    if [p.number for p in stored] == [p.e164 for p in phones]:
        return False
    person.phones.all().delete()
    Phone.objects.bulk_create(
        Phone(person=person, number=p.e164, as_given=p.as_given, number_index=p.index, is_primary=n == 0)
        for n, p in enumerate(phones)
    )
    return True


def _replace_documents(person: Person, documents: list[tuple[DocumentInput, str]]) -> bool:
    def key(type_: str, number: str, country: str, expiry: dt.date | None) -> tuple[str, str, str, str]:
        return type_, number, country.upper(), expiry.isoformat() if expiry else ""

    stored = sorted(key(d.type, d.number, d.issuing_country, d.expiry_date) for d in person.documents.all())
    given = sorted(key(d.type, number, d.issuing_country, d.expiry_date) for d, number in documents)
    if stored == given:
        return False
    person.documents.all().delete()
    IdentityDocument.objects.bulk_create(
        IdentityDocument(
            person=person,
            type=document.type,
            number=number,
            number_index=document_index(number),
            issuing_country=document.issuing_country.upper(),
            expiry_date=document.expiry_date,
        )
        for document, number in documents
    )
    return True


# --- status -------------------------------------------------------------------------------------------------


@transaction.atomic
def set_person_status(
    *,
    person: Person,
    acting_user: User | None,
    status: str,
    on: dt.date | None = None,
    reason: str = "",
    version: int | None = None,
) -> Person:
    """Record that a person died (with the date), withdrew (with the reason), or is active again (with the
    reason: a status set by mistake). Merging records is the duplicate review's, not this."""
    _require(acting_user, person)
    current = _locked(person)
    _refuse_closed(current)
    _check_version(current, version)
    reason = reason.strip()
    today = timezone.localdate()
    if status == PersonStatus.MERGED:
        raise ValidationError({"status": _("Records are merged by the review of possible duplicates, not here.")})
    if status not in PersonStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == current.status:
        raise ValidationError({"status": _("The record already has this status.")})
    errors: dict[str, str] = {}
    if status == PersonStatus.DECEASED:
        if on is None:
            errors["on"] = _("Give the date of death (the best date known).")
        elif on > today:
            errors["on"] = _("The date of death is in the future.")
        elif current.birth_date is not None and on < current.birth_date:
            errors["on"] = _("The date of death is before the date of birth.")
    elif status == PersonStatus.WITHDRAWN and not reason:
        errors["reason"] = _("Say why the person withdrew.")
    elif status == PersonStatus.ACTIVE and not reason:
        errors["reason"] = _("Say why the record is active again.")
    if on is not None and on > today:
        errors.setdefault("on", _("The date is in the future."))
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current, ("status", "status_on", "status_reason"))
    current.status, current.status_on, current.status_reason = status, on or today, reason
    changes: dict[str, Any] = audit.diff(before, audit.snapshot(current, ("status", "status_on", "status_reason")))
    _bump(current, changes)
    current.save(update_fields=["status", "status_on", "status_reason", "version", "updated_at"])
    audit.record(acting_user, "person.status", current, changes=changes, note=reason)
    return current


# --- households over time -----------------------------------------------------------------------------------


def current_membership(person: Person) -> HouseholdMember | None:
    return (
        HouseholdMember.objects.select_for_update()
        .select_related("household")
        .filter(person=person, left_on__isnull=True)
        .first()
    )


def _check_date(on: dt.date, since: HouseholdMember | None) -> None:
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date is in the future.")})
    if since is not None and on < since.joined_on:
        raise ValidationError(
            {
                "on": _("The person joined %(ref)s on %(date)s: the date cannot be earlier.")
                % {"ref": since.household.reference, "date": since.joined_on.isoformat()}
            }
        )


def _head_left_alone(membership: HouseholdMember) -> None:
    """A head may leave only a household nobody else lives in; otherwise a new head comes first."""
    if membership.relationship != Relationship.HEAD:
        return
    others = HouseholdMember.objects.filter(household=membership.household, left_on__isnull=True).exclude(
        pk=membership.pk
    )
    if others.exists():
        raise ValidationError(
            _("This person is the head of household %(ref)s, where others still live: name a new head there first.")
            % {"ref": membership.household.reference}
        )


@transaction.atomic
def move_person(
    *,
    person: Person,
    acting_user: User | None,
    relationship: str,
    on: dt.date,
    to_household: Household | None = None,
    address: str = "",
    note: str = "",
) -> HouseholdMember:
    """Move a person to another household of the operation, or to a new one of their own (`to_household`
    None; they are its head). The current membership ends on `on` and the new one starts that day: nothing
    is deleted, so the person's households over time stay readable."""
    _require(acting_user, person)
    if to_household is not None:
        _require(acting_user, to_household)
    current = _locked(person)
    _refuse_closed(current)
    if relationship not in Relationship.values:
        raise ValidationError({"relationship": _("Unknown relationship.")})
    leaving = current_membership(current)
    _check_date(on, leaving)
    if to_household is None:
        if relationship != Relationship.HEAD:
            raise ValidationError({"relationship": _("In a new household the person is its head.")})
    else:
        to_household = Household.objects.select_for_update().get(pk=to_household.pk)
        if to_household.operation_id != current.operation_id:
            raise ValidationError({"to_household": _("This household belongs to another operation.")})
        if leaving is not None and leaving.household_id == to_household.pk:
            raise ValidationError({"to_household": _("The person already lives in this household.")})
        head = HouseholdMember.objects.filter(household=to_household, left_on__isnull=True, relationship="head")
        if relationship == Relationship.HEAD and head.exists():
            raise ValidationError(
                {
                    "relationship": _("Household %(ref)s already has a head: choose the relationship to that head.")
                    % {"ref": to_household.reference}
                }
            )
        if relationship != Relationship.HEAD and not head.exists():
            raise ValidationError(
                {
                    "relationship": _("Household %(ref)s has no head now: the person joins it as its head.")
                    % {"ref": to_household.reference}
                }
            )
    if leaving is not None:
        _head_left_alone(leaving)
        leaving.left_on = on
        leaving.save(update_fields=["left_on"])
    if to_household is None:
        to_household = Household.objects.create(
            operation=current.operation,
            office=current.office,
            reference=new_reference("HH"),
            admin_area=current.admin_area,
            site=current.site,
            address=address.strip(),
        )
    joined = HouseholdMember.objects.create(
        household=to_household, person=current, relationship=relationship, joined_on=on
    )
    before = leaving.household.reference if leaving else None
    audit.record(
        acting_user,
        "person.move",
        current,
        changes={
            "household": [before, to_household.reference],
            "relationship": [leaving.relationship if leaving else None, relationship],
        },
        note=note,
    )
    if leaving is not None:
        audit.record(
            acting_user, "household.member_left", leaving.household, changes={"members": [current.reference, None]}
        )
    audit.record(acting_user, "household.member_joined", to_household, changes={"members": [None, current.reference]})
    return joined


@transaction.atomic
def leave_household(*, person: Person, acting_user: User | None, on: dt.date, note: str = "") -> HouseholdMember:
    """The person no longer lives in their household (and has not joined another one in the registry)."""
    _require(acting_user, person)
    current = _locked(person)
    _refuse_closed(current)
    leaving = current_membership(current)
    if leaving is None:
        raise ValidationError(_("The person is not a member of any household now."))
    _check_date(on, leaving)
    _head_left_alone(leaving)
    leaving.left_on = on
    leaving.save(update_fields=["left_on"])
    audit.record(
        acting_user, "person.leave", current, changes={"household": [leaving.household.reference, None]}, note=note
    )
    audit.record(
        acting_user, "household.member_left", leaving.household, changes={"members": [current.reference, None]}
    )
    return leaving


@transaction.atomic
def change_head(
    *, household: Household, new_head: Person, acting_user: User | None, former_head_relationship: str, note: str = ""
) -> Household:
    """Make a current member the head. The former head (if the household still has one) stays a member with
    `former_head_relationship`; a household always keeps exactly one head."""
    _require(acting_user, household)
    household = Household.objects.select_for_update().get(pk=household.pk)
    members = {m.person_id: m for m in household.members.filter(left_on__isnull=True).select_related("person")}
    chosen = members.get(new_head.pk)
    if chosen is None:
        raise ValidationError({"new_head": _("Only a current member of the household can become its head.")})
    if chosen.relationship == Relationship.HEAD:
        raise ValidationError({"new_head": _("This person is already the head.")})
    former = next((m for m in members.values() if m.relationship == Relationship.HEAD), None)
    if former is not None and (
        former_head_relationship not in Relationship.values or former_head_relationship == Relationship.HEAD
    ):
        raise ValidationError({"former_head_relationship": _("Say how the former head is related to the new head.")})
    changes: dict[str, Any] = {"head": [former.person.reference if former else None, chosen.person.reference]}
    if former is not None:
        former.relationship = former_head_relationship
        former.save(update_fields=["relationship"])  # first, so that one head at a time holds
        changes["former_head_relationship"] = [Relationship.HEAD.value, former_head_relationship]
    changes["new_head_relationship"] = [chosen.relationship, Relationship.HEAD.value]
    chosen.relationship = Relationship.HEAD
    chosen.save(update_fields=["relationship"])
    audit.record(acting_user, "household.head", household, changes=changes, note=note)
    return household


# --- consent ------------------------------------------------------------------------------------------------


def current_decisions(person: Person) -> dict[str, Consent]:
    """The latest decision for each purpose (a later decision replaces an earlier one)."""
    latest: dict[str, Consent] = {}
    for consent in person.consents.order_by("-recorded_at", "-id"):
        latest.setdefault(consent.purpose, consent)
    return latest


@transaction.atomic
def record_consent(
    *,
    person: Person,
    acting_user: User | None,
    purpose: str,
    granted: bool,
    method: str,
    proxy_name: str = "",
    note: str = "",
) -> Consent:
    """A new decision of the person for one purpose: who recorded it (the acting user), how, when (now).
    Consent to registration given again makes a record withdrawn for lack of it active again."""
    _require(acting_user, person)
    current = _locked(person)
    _refuse_closed(current)
    errors: dict[str, list[str]] = {}

    def problem(_index: int, name: str, message: str) -> None:
        errors.setdefault(name.replace("consent.other_purposes", "purpose").removeprefix("consent."), []).append(
            message
        )

    registration = purpose == ConsentPurpose.REGISTRATION
    others = {} if registration else {purpose: granted}
    _check_consent(0, ConsentInput(granted=True, method=method, proxy_name=proxy_name, other_purposes=others), problem)
    if registration and not granted:
        errors.setdefault("granted", []).append(
            _("A registered person who no longer consents to registration withdraws their consent: use Withdraw.")
        )
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        person=current,
        purpose=purpose,
        granted=granted,
        method=method,
        proxy_name=proxy_name.strip(),
        recorded_by=acting_user,
        recorded_at=timezone.now(),
        note=note.strip(),
    )
    changes: dict[str, Any] = {
        f"consent.{purpose}": [None, "granted" if granted else "refused"],
        "method": [None, method],
    }
    if registration and current.status == PersonStatus.WITHDRAWN:
        changes["status"] = [current.status, PersonStatus.ACTIVE.value]
        current.status, current.status_on = PersonStatus.ACTIVE, timezone.localdate()
        current.status_reason = _("Consent to registration given again.")
        _bump(current, changes)
        current.save(update_fields=["status", "status_on", "status_reason", "version", "updated_at"])
    audit.record(acting_user, "person.consent", current, changes=changes, note=note)
    return consent


@transaction.atomic
def withdraw_consent(
    *, consent: Consent, acting_user: User | None, note: str = "", withdrawn_at: dt.datetime | None = None
) -> Consent:
    """The person withdraws a consent they gave: who recorded the withdrawal, when, and a note.

    Withdrawing consent to registration ends every other consent too and marks the person withdrawn: the
    record stays (the retention rules decide when it goes) but it is no longer used."""
    person = consent.person
    _require(acting_user, person)
    current = _locked(person)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    now = timezone.now()
    when = withdrawn_at or now
    if consent.withdrawn_at is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    if not consent.granted:
        raise ValidationError(_("Only a consent that was given can be withdrawn."))
    if current_decisions(current).get(consent.purpose) != consent:
        raise ValidationError(_("A later decision replaced this one: withdraw that one."))
    if when > now:
        raise ValidationError({"withdrawn_at": _("The date is in the future.")})
    if when < consent.recorded_at:
        raise ValidationError({"withdrawn_at": _("The consent was withdrawn before it was given.")})
    ended = [consent]
    if consent.purpose == ConsentPurpose.REGISTRATION:
        ended += [
            other
            for purpose, other in current_decisions(current).items()
            if purpose != consent.purpose and other.granted and other.withdrawn_at is None
        ]
    for item in ended:
        item.withdrawn_at, item.withdrawn_by, item.withdrawal_note = when, acting_user, note.strip()
        item.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
    changes: dict[str, Any] = {f"consent.{item.purpose}": ["granted", "withdrawn"] for item in ended}
    if consent.purpose == ConsentPurpose.REGISTRATION and current.status == PersonStatus.ACTIVE:
        changes["status"] = [current.status, PersonStatus.WITHDRAWN.value]
        current.status, current.status_on = PersonStatus.WITHDRAWN, timezone.localdate(when)
        current.status_reason = note.strip() or _("Consent to registration withdrawn.")
        _bump(current, changes)
        current.save(update_fields=["status", "status_on", "status_reason", "version", "updated_at"])
    audit.record(acting_user, "person.consent_withdrawn", current, changes=changes, note=note)
    consent.refresh_from_db()
    return consent


# --- photo --------------------------------------------------------------------------------------------------

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000  # larger is not a portrait, and decoding it would be a memory bomb
PHOTO_MAX_SIDE = 1200
PHOTO_DIR = "registry/photos"
_SIGNATURES = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}
_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}


def clean_photo(data: bytes) -> tuple[bytes, str]:
    """The photo re-encoded from its pixels only (no EXIF, GPS, camera or comments), turned upright and at
    most PHOTO_MAX_SIDE pixels a side; and its content type. What the bytes are is read from the bytes."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise ValidationError({"photo": _("The file is empty.")})
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError(
            {"photo": _("The photo is larger than %(n)s MB.") % {"n": PHOTO_MAX_BYTES // (1024 * 1024)}}
        )
    kind = next((name for magic, name in _SIGNATURES.items() if data.startswith(magic)), None)
    if kind is None:
        raise ValidationError({"photo": _("Only JPEG and PNG photos can be added.")})
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as probe:
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise ValidationError({"photo": _("The photo has too many pixels.")})
            probe.verify()
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            if kind == "JPEG":
                upright.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
            else:
                pixels = upright if upright.mode in ("RGB", "RGBA", "L", "LA") else upright.convert("RGBA")
                pixels.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError({"photo": _("The file could not be read as a photo.")}) from exc
    return out.getvalue(), _CONTENT_TYPES[kind]


def _photo_context(person: Person) -> str:
    """Bound to the person: a photo file copied onto another record does not open there."""
    return f"registry.person.photo:{person.pk}"


def open_photo(person: Person) -> bytes:
    """The photo's bytes, decrypted. Callers fetch the person through access.get_person_photo_for_user."""
    with default_storage.open(person.photo_file, "rb") as sealed:
        token = sealed.read().decode("ascii")
    return base64.b64decode(crypto.decrypt(token, context=_photo_context(person)))


def _forget_file(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def set_photo(*, person: Person, acting_user: User | None, data: bytes, version: int | None = None) -> Person:
    """Add or replace the person's photo. It is stored encrypted (AES-GCM) under the media directory, never
    as an image file; the one it replaces is deleted once this commits."""
    _require(acting_user, person)
    current = _locked(person)
    _refuse_closed(current)
    _check_version(current, version)
    cleaned, content_type = clean_photo(data)
    token = crypto.encrypt(base64.b64encode(cleaned).decode("ascii"), context=_photo_context(current))
    name = default_storage.save(f"{PHOTO_DIR}/{uuid.uuid4().hex}.sealed", ContentFile(token.encode("ascii")))
    try:
        replaced = current.photo_file
        changes: dict[str, Any] = {"photo": [bool(replaced), True]}
        current.photo_file, current.photo_content_type, current.photo_added_at = name, content_type, timezone.now()
        _bump(current, changes)
        current.save(update_fields=["photo_file", "photo_content_type", "photo_added_at", "version", "updated_at"])
        _forget_file(replaced)
        audit.record(acting_user, "person.photo", current, changes=changes)
    except BaseException:
        default_storage.delete(name)  # nothing points at it
        raise
    return current


@transaction.atomic
def remove_photo(*, person: Person, acting_user: User | None, version: int | None = None) -> Person:
    """Remove the person's photo (the encrypted file is deleted once this commits)."""
    _require(acting_user, person)
    current = _locked(person)
    _check_version(current, version)
    if not current.photo_file:
        raise ValidationError({"photo": _("There is no photo to remove.")})
    replaced = current.photo_file
    changes: dict[str, Any] = {"photo": [True, False]}
    current.photo_file, current.photo_content_type, current.photo_added_at = "", "", None
    _bump(current, changes)
    current.save(update_fields=["photo_file", "photo_content_type", "photo_added_at", "version", "updated_at"])
    _forget_file(replaced)
    audit.record(acting_user, "person.photo_removed", current, changes=changes)
    return current
