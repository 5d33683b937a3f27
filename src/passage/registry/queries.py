"""The read side of the registry: search and lists, always through visible_to, paginated by the caller."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from passage.core.access import can
from passage.core.dashboard import Tile
from passage.core.models import Operation
from passage.registry.models import Household, HouseholdMember, IdentityDocument, Person, Phone
from passage.registry.names import fold_name, skeleton
from passage.registry.normalise import (
    NormaliseError,
    document_index,
    normalise_document_number,
    normalise_phone,
    phone_index,
)


def people_for(user: Any, operation: Operation) -> QuerySet[Person]:
    return Person.objects.visible_to(user).filter(operation=operation).select_related("admin_area", "office")


def search_people(user: Any, operation: Operation, text: str) -> QuerySet[Person]:
    """People matching `text`: a phone, a document number, a P-code, a registration number, or name parts.

    Name search here is exact-part and prefix matching in any script; spelling-tolerant matching comes
    from the matching engine."""
    people = people_for(user, operation)
    text = text.strip()
    if not text:
        return people
    if re.fullmatch(r"[+0-9 ()\-]{6,}", text):
        try:
            phone = normalise_phone(text, default_region=operation.country)
        except NormaliseError:
            pass
        else:
            return people.filter(phones__number_index=phone_index(phone.e164)).distinct()
    if re.fullmatch(r"(P|HH)-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text.upper()):
        return people.filter(Q(reference=text.upper()) | Q(household_memberships__household__reference=text.upper()))
    compact = re.sub(r"[\s\-./]", "", text)
    if re.fullmatch(r"[A-Za-z0-9]{3,40}", compact) and any(c.isdigit() for c in compact):
        # Letters and digits: a document number, or a P-code (which is also where people live).
        by_pcode = people.filter(admin_area__pcode=compact.upper())
        return (by_pcode | _by_document(people, compact)).distinct()
    query = Q()
    for part in fold_name(text).split():
        words = Q(search_names__contains=" " + part)  # the start of some name word
        key = skeleton(part)
        if key:
            words |= Q(search_names__contains=f" ~{key}~")  # or another spelling of it
        query &= words
    return people.filter(query)


def _by_document(people: QuerySet[Person], text: str) -> QuerySet[Person]:
    try:
        number = normalise_document_number(text, document_type="other")
    except NormaliseError:
        return people.none()
    return people.filter(documents__number_index=document_index(number))


def person_detail(person: Person) -> Person:
    """The person with everything the page shows, in a fixed number of queries."""
    return (
        Person.objects.filter(pk=person.pk)
        .select_related("admin_area", "site", "office", "operation")
        .prefetch_related(
            Prefetch("phones", queryset=Phone.objects.all()),
            Prefetch("documents", queryset=IdentityDocument.objects.all()),
            "consents",
            Prefetch("household_memberships", queryset=HouseholdMember.objects.select_related("household")),
        )
        .get()
    )


def dashboard_tiles(user: Any, operation: Operation) -> list[Tile]:
    """People and households registered in the operation, for those who may see the registry."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    if not can(user, "person.view", operation):
        return []
    people = Person.objects.visible_to(user).filter(operation=operation, status="active")
    since = timezone.now() - dt.timedelta(days=7)
    households = Household.objects.visible_to(user).filter(operation=operation)
    return [
        Tile(
            "people",
            _("People registered"),
            people.count(),
            "person-vcard",
            sub=people.filter(created_at__gte=since).count(),
            sublabel=_("this week"),
        ),
        Tile("households", _("Households"), households.count(), "house-door"),
    ]
