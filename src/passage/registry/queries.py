"""The read side of the registry: search and lists, always through visible_to, paginated by the caller."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from passage.core.access import can
from passage.core.dashboard import Tile
from passage.core.models import Operation
from passage.registry.models import (
    AdminArea,
    Household,
    HouseholdMember,
    IdentityDocument,
    Person,
    PersonStatus,
    Phone,
    Site,
)
from passage.registry.names import fold_name, skeleton
from passage.registry.normalise import (
    NormaliseError,
    document_index,
    normalise_document_number,
    normalise_phone,
    phone_index,
)


def people_for(user: Any, operation: Operation) -> QuerySet[Person]:
    """The people a user may see in lists and search: not the records merged into another (their page still
    opens, and says which record they were merged into)."""
    return (
        Person.objects.visible_to(user)
        .filter(operation=operation)
        .exclude(status=PersonStatus.MERGED)
        .select_related("admin_area", "office")
    )


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


@dataclass(frozen=True)
class Place:
    """An administrative area or a site as a picker offers it: what is submitted and what is read."""

    pcode: str  # the area's P-code (a site's area, for a site)
    site_code: str
    path: str  # 'Mosul › Ninewa', the site first for a site
    kind: str  # the site's type as read ('Camp'), or '' for an area


PLACES_SHOWN = 12
_ANCESTORS = "parent__parent__parent"


def place_path(area: AdminArea | None) -> str:
    """The area and the areas above it, without the country: 'Mosul › Ninewa' (parents should be selected)."""
    names: list[str] = []
    while area is not None:
        names.append(area.local_name)
        if area.level <= 1:
            break
        area = area.parent
    return " › ".join(names)


def _site_place(site: Site) -> Place:
    path = " › ".join([site.name, place_path(site.admin_area)])
    return Place(site.admin_area.pcode, site.code, path, str(site.get_type_display()))


def search_places(user: Any, operation: Operation, text: str) -> list[Place]:
    """Areas of the operation's country whose P-code starts with `text` or whose name in any of the dataset's
    languages contains it, and the operation's active sites by code or name: the smaller areas' parents
    come along to name them ('Mosul › Ninewa')."""
    text = text.strip()[:100]
    if not text:
        return []
    sites = (
        Site.objects.visible_to(user)
        .filter(operation=operation, is_active=True)
        .filter(Q(code__istartswith=text) | Q(name__icontains=text))
        .select_related(f"admin_area__{_ANCESTORS}")
        .order_by("name")[: PLACES_SHOWN // 3]
    )
    areas = AdminArea.objects.visible_to(user).filter(country=operation.country)
    matching = Q(pcode__istartswith=text) | Q(name__icontains=text)
    for language in _area_languages(areas):
        matching |= Q(**{f"names__{language}__icontains": text})
    found = areas.filter(matching).select_related(_ANCESTORS).order_by("level", "name")[:PLACES_SHOWN]
    return [_site_place(site) for site in sites] + [Place(a.pcode, "", place_path(a), "") for a in found]


def _area_languages(areas: QuerySet[AdminArea]) -> list[str]:
    """The languages the country's dataset names areas in (a COD-AB has the same columns on every row)."""
    languages: set[str] = set()
    for names in areas.filter(level__gt=0).values_list("names", flat=True)[:20]:
        languages.update(key for key in names or {} if re.fullmatch(r"[a-z]{2,3}", key))
    return sorted(languages)


def chosen_place(operation: Operation, *, area: AdminArea | None, site: Site | None) -> Place | None:
    """The place a form holds, named as the picker names it."""
    if site is not None:
        return _site_place(Site.objects.select_related(f"admin_area__{_ANCESTORS}").get(pk=site.pk))
    if area is not None:
        return Place(area.pcode, "", place_path(AdminArea.objects.select_related(_ANCESTORS).get(pk=area.pk)), "")
    return None


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
