"""Every state change of the registry. Views, the API, commands and tasks call these; nothing else saves."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.core import audit
from passage.core.access import can
from passage.core.models import Office, Operation, User
from passage.registry import live_checks
from passage.registry.locations import AreaRow, parse_admin_areas
from passage.registry.models import (
    AdminArea,
    Consent,
    ConsentPurpose,
    Household,
    HouseholdMember,
    IdentityDocument,
    Person,
    Phone,
    Site,
)
from passage.registry.names import NAME_FIELDS, search_names_of
from passage.registry.normalise import document_index
from passage.registry.registration import CheckedPerson, PersonInput, check_members
from passage.registry.tabular import Table


@dataclass(frozen=True)
class AreaImportSummary:
    created: int
    updated: int
    unchanged: int
    by_level: dict[int, int]


def import_admin_areas(
    *, table: Table, country: str, acting_user: User | None, operation: Operation | None = None, source: str = ""
) -> AreaImportSummary:
    """Load a COD-AB style table. All or nothing: any error names its row and column and nothing is written."""
    country = country.strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise ValidationError({"country": _("Use the two-letter ISO 3166 code, e.g. IQ.")})
    if acting_user is not None and (operation is None or not can(acting_user, "location.manage", operation)):
        raise PermissionDenied("location.manage")
    parsed = parse_admin_areas(table)
    if parsed.errors:
        raise ValidationError([f"row {e['row']}, {e['field']}: {e['message']}" for e in parsed.errors[:200]])
    areas = dict(parsed.areas)
    if not any(area.level == 0 for area in areas.values()):
        root = AreaRow(0, country, {}, None, 0)
        areas[country] = root
        for area in areas.values():
            if area.level == 1 and area.parent_pcode is None:
                area.parent_pcode = country
    return _write_areas(areas, country=country, source=source, acting_user=acting_user, operation=operation)


@transaction.atomic
def _write_areas(
    areas: dict[str, AreaRow], *, country: str, source: str, acting_user: User | None, operation: Operation | None
) -> AreaImportSummary:
    existing = {a.pcode: a for a in AdminArea.objects.filter(pcode__in=list(areas)).select_related("parent")}
    foreign = [p for p, a in existing.items() if a.country != country]
    if foreign:
        raise ValidationError(
            _("These P-codes belong to another country: %(codes)s") % {"codes": ", ".join(foreign[:10])}
        )
    ids = {pcode: area.pk for pcode, area in existing.items()}
    missing_parents = {r.parent_pcode for r in areas.values() if r.parent_pcode and r.parent_pcode not in areas}
    ids.update(AdminArea.objects.filter(pcode__in=missing_parents).values_list("pcode", "pk"))
    new: list[AdminArea] = []
    changed: list[AdminArea] = []
    unchanged = 0
    by_level: dict[int, int] = {}
    # Parents come first (sorted by level), and UUIDs are made here, so children can point at them at once.
    for row in sorted(areas.values(), key=lambda r: (r.level, r.pcode)):
        by_level[row.level] = by_level.get(row.level, 0) + 1
        name = row.names.get("en") or next(iter(row.names.values()), row.pcode)
        parent_id = ids.get(row.parent_pcode) if row.parent_pcode else None
        if row.parent_pcode and parent_id is None:
            raise ValidationError(
                _("row %(row)s: parent %(parent)s is unknown.") % {"row": row.row, "parent": row.parent_pcode}
            )
        current = existing.get(row.pcode)
        if current is None:
            area = AdminArea(
                country=country,
                level=row.level,
                pcode=row.pcode,
                name=name,
                names=row.names,
                parent_id=parent_id,
                source=source,
            )
            ids[row.pcode] = area.pk
            new.append(area)
        elif row.row == 0:
            unchanged += 1  # the country row Passage added because the file had no level 0: keep what is stored
        elif (current.name, current.names, current.parent_id, current.level) != (name, row.names, parent_id, row.level):
            current.name, current.names, current.parent_id, current.level = name, row.names, parent_id, row.level
            current.source = source or current.source
            changed.append(current)
        else:
            unchanged += 1
    AdminArea.objects.bulk_create(new, batch_size=2000)
    AdminArea.objects.bulk_update(changed, ["name", "names", "parent", "level", "source"], batch_size=2000)
    created, updated = len(new), len(changed)
    audit.record(
        acting_user,
        "admin_area.import",
        None,
        actor_username="system",
        operation_id=operation.pk if operation else None,
        changes={"created": [None, created], "updated": [None, updated]},
        note=f"{country} {source}".strip(),
    )
    return AreaImportSummary(created, updated, unchanged, by_level)


def new_reference(prefix: str) -> str:
    """A readable number: prefix and twelve Crockford base-32 characters in three groups (no O, I, L, U).

    60 random bits: among ten million records the chance that two ever draw the same number is 1 in 20,000,
    and the unique constraint still catches it."""
    bits = int.from_bytes(os.urandom(8), "big") >> 4
    body = "".join(CROCKFORD[(bits >> shift) & 31] for shift in range(55, -1, -5))
    return f"{prefix}-{body[:4]}-{body[4:8]}-{body[8:]}"


CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@transaction.atomic
def register_household(
    *,
    acting_user: User | None,
    operation: Operation,
    members: list[PersonInput],
    office: Office | None = None,
    admin_area: AdminArea | None = None,
    site: Site | None = None,
    address: str = "",
    source_refs: list[str] | None = None,
) -> Household:
    """Register a household and its members, each with a consent decision. All or nothing."""
    if acting_user is not None and not can(acting_user, "person.register", office or operation):
        raise PermissionDenied("person.register")
    if office is not None and office.operation_id != operation.pk:
        raise ValidationError({"office": _("This office belongs to another operation.")})
    if site is not None and site.operation_id != operation.pk:
        raise ValidationError({"site": _("This site belongs to another operation.")})
    checked, errors = check_members(members, region=operation.country)
    if errors:
        raise ValidationError(errors)
    household = Household.objects.create(
        operation=operation,
        office=office,
        reference=new_reference("HH"),
        admin_area=admin_area,
        site=site,
        address=address,
    )
    today = timezone.localdate()
    now = timezone.now()
    people: list[Person] = []
    for item in checked:
        data = item.data
        people.append(
            Person(
                operation=operation,
                office=office,
                reference=new_reference("P"),
                admin_area=admin_area,
                site=site,
                **{name: getattr(data, name) for name in PERSON_TEXT_FIELDS},
                other_names=[n.strip() for n in data.other_names if n.strip()],
                sex=data.sex,
                birth_date=item.birth_date,
                birth_date_precision=item.precision,
                age_estimated_on=item.age_estimated_on,
                nationalities=[c.upper() for c in data.nationalities],
                languages=[c.lower() for c in data.languages],
                marital_status=data.marital_status,
                disability=data.disability,
            )
        )
    for index, person in enumerate(people):
        person.search_names = search_names_of(person)
        person.source_ref = source_refs[index] if source_refs else ""
    Person.objects.bulk_create(people)
    HouseholdMember.objects.bulk_create(
        HouseholdMember(household=household, person=person, relationship=item.data.relationship, joined_on=today)
        for person, item in zip(people, checked, strict=True)
    )
    Phone.objects.bulk_create(
        Phone(person=person, number=phone.e164, as_given=phone.as_given, number_index=phone.index, is_primary=n == 0)
        for person, item in zip(people, checked, strict=True)
        for n, phone in enumerate(item.phones)
    )
    IdentityDocument.objects.bulk_create(
        IdentityDocument(
            person=person,
            type=document.type,
            number=number,
            number_index=document_index(number),
            issuing_country=document.issuing_country.upper(),
            expiry_date=document.expiry_date,
        )
        for person, item in zip(people, checked, strict=True)
        for document, number in item.documents
    )
    Consent.objects.bulk_create(_consents(people, checked, acting_user, now))
    audit.record(
        acting_user,
        "household.register",
        household,
        actor_username="system",
        changes={"members": [None, [p.reference for p in people]]},
    )
    live_checks.announce_changed(operation.pk, [person.pk for person in people])
    return household


PERSON_TEXT_FIELDS = NAME_FIELDS


def _consents(
    people: list[Person], checked: list[CheckedPerson], acting_user: User | None, now: dt.datetime
) -> list[Consent]:
    rows: list[Consent] = []
    for person, item in zip(people, checked, strict=True):
        consent = item.data.consent
        assert consent is not None  # noqa: S101  (check_members refuses a member without one)
        decisions = {ConsentPurpose.REGISTRATION.value: consent.granted, **consent.other_purposes}
        rows.extend(
            Consent(
                person=person,
                purpose=purpose,
                granted=granted,
                method=consent.method,
                proxy_name=consent.proxy_name.strip(),
                recorded_by=acting_user,
                recorded_at=now,
                note=consent.note,
            )
            for purpose, granted in decisions.items()
        )
    return rows
