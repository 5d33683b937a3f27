"""Groups and communities for the demo operation: displaced communities at camps and in districts, a village
community, and associations (survivors, families of the missing, a women's cooperative, a youth group), with
registered members in their roles and, for communities, whole households.

Built through registry.group_actions (as the system), so the demo follows the same rules as the pages and
leaves the same history. A few sites are added when the operation has none. Safe to run again: it completes
what is missing and changes nothing else. Called by `passage demo` (manage.py demo_groups) after the demo
registry.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from passage.core.models import Operation
from passage.registry import group_actions as actions
from passage.registry.models import AdminArea, Group, GroupRole, Household, Person, Site, SiteType

# Sites the demo groups live at: (code, name, type, P-code of its district, latitude, longitude). A site of the
# same type in the same district stands in when the operation already has one (the demo registry adds camps).
SITES = [
    ("IQ-NIN-HSH-U2", "Hasansham U2", SiteType.CAMP, "IQD082", "36.283000", "43.358000"),
    ("IQ-DAH-SHA-01", "Sharya camp", SiteType.CAMP, "IQD052", "36.975000", "42.984000"),
    ("IQ-ERB-HAR-01", "Harshm camp", SiteType.CAMP, "IQD057", "36.200000", "44.060000"),
    ("IQ-BGD-CC-07", "Al-Salam collective centre", SiteType.COLLECTIVE_CENTRE, "IQD036", "33.345000", "44.425000"),
]


@dataclass(frozen=True)
class DemoGroup:
    kind: str
    name: str
    name_latin: str
    description: str
    site: str = ""  # site code
    area: str = ""  # P-code
    estimated_size: int | None = None
    members: int = 6
    households: int = 0
    roles: tuple[str, ...] = (GroupRole.REPRESENTATIVE, GroupRole.TREASURER)


GROUPS = [
    DemoGroup(
        "community",
        "نازحو سنجار في دهوك",
        "Sinjar IDPs in Dahuk",
        "Yazidi families displaced from Sinjar district in 2014, living in a camp of Sumel district.",
        site="IQ-DAH-SHA-01",
        estimated_size=3400,
        members=8,
        households=6,
        roles=(GroupRole.REPRESENTATIVE, GroupRole.FOCAL_POINT),
    ),
    DemoGroup(
        "community",
        "نازحو الموصل في الحمدانية",
        "Mosul IDPs in Al-Hamdaniya",
        "Families from west Mosul in a camp of Al-Hamdaniya district; camp committee members are focal points.",
        site="IQ-NIN-HSH-U2",
        estimated_size=1850,
        members=7,
        households=5,
        roles=(GroupRole.REPRESENTATIVE, GroupRole.FOCAL_POINT, GroupRole.FOCAL_POINT),
    ),
    DemoGroup(
        "community",
        "نازحو تلعفر في أربيل",
        "Telafar IDPs in Erbil",
        "Turkmen families from Telafar district, in a camp of Erbil district.",
        site="IQ-ERB-HAR-01",
        estimated_size=620,
        members=5,
        households=3,
    ),
    DemoGroup(
        "community",
        "أهالي قرية بعشيقة",
        "Bashiqa village",
        "Returnees to Bashiqa, Al-Hamdaniya district: community stabilisation projects.",
        area="IQD082",
        estimated_size=2900,
        members=6,
        households=4,
        roles=(GroupRole.REPRESENTATIVE, GroupRole.CHAIR),
    ),
    DemoGroup(
        "community",
        "مجتمع الفلوجة العائد",
        "Falluja returnee community",
        "Returnee families of Falluja district.",
        area="IQD002",
        estimated_size=5200,
        members=4,
        households=3,
    ),
    DemoGroup(
        "victims_association",
        "جمعية الناجيات الإيزيديات",
        "Association of Yazidi survivors",
        "Women survivors of ISIL crimes; represents its members in reparation claims.",
        area="IQD086",
        members=9,
        roles=(GroupRole.REPRESENTATIVE, GroupRole.CHAIR, GroupRole.SECRETARY, GroupRole.TREASURER),
    ),
    DemoGroup(
        "association",
        "رابطة عوائل المفقودين",
        "Families of the missing",
        "Families searching for relatives missing since 2014.",
        area="IQD083",
        members=7,
        roles=(GroupRole.REPRESENTATIVE, GroupRole.CHAIR),
    ),
    DemoGroup(
        "cooperative",
        "تعاونية الخياطة للنساء",
        "Women's tailoring cooperative",
        "Tailoring workshop started with reintegration grants.",
        site="IQ-BGD-CC-07",
        members=6,
        roles=(GroupRole.CHAIR, GroupRole.TREASURER),
    ),
    DemoGroup(
        "womens_group",
        "مجموعة نساء الرصافة",
        "Resafa women's group",
        "Monthly protection and livelihood sessions.",
        area="IQD036",
        members=5,
        roles=(GroupRole.FOCAL_POINT,),
    ),
    DemoGroup(
        "youth_group",
        "فريق شباب الكرخ لكرة القدم",
        "Karkh youth football team",
        "Youth activities for displaced and host-community young people.",
        area="IQD035",
        members=6,
        roles=(GroupRole.FOCAL_POINT,),
    ),
]


@dataclass
class DemoGroups:
    groups: int = 0
    members: int = 0
    households: int = 0
    sites: int = 0
    references: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"Groups and communities: {self.groups} added, {self.members} members and {self.households} households "
            f"joined; {self.sites} sites added."
        )


def build_demo_groups(*, operation: Operation, seed: int = 7) -> DemoGroups:
    """The demo groups of `operation` (see the module's docstring). Run again, it completes them: a group
    already there is kept, and one that never had members gets them once the registry has people."""
    result = DemoGroups()
    rng = random.Random(seed)  # noqa: S311  (demo data, not security)
    with transaction.atomic():
        areas = {area.pcode: area for area in AdminArea.objects.filter(country=operation.country)}
        existing = {g.name_latin: g for g in Group.objects.filter(operation=operation, name_latin__in=_names())}
        today = timezone.localdate()
        used: set[object] = set()
        for spec in GROUPS:
            site = _site(operation, spec.site, areas, result) if spec.site else None
            area = areas.get(spec.area) if spec.area else None
            if spec.kind == "community" and site is None and area is None:
                continue  # no places loaded: a community needs one
            group = existing.get(spec.name_latin)
            if group is None:
                group = actions.create_group(
                    acting_user=None,
                    operation=operation,
                    kind=spec.kind,
                    name=spec.name,
                    name_latin=spec.name_latin,
                    admin_area=area,
                    site=site,
                    description=spec.description,
                    estimated_size=spec.estimated_size,
                )
                result.groups += 1
                result.references.append(group.reference)
            place = group.admin_area
            if not group.memberships.exists():
                for index, person in enumerate(_people(operation, place, spec.members, rng, used)):
                    role = spec.roles[index] if index < len(spec.roles) else GroupRole.MEMBER
                    joined = today - dt.timedelta(days=rng.randint(30, 900))
                    actions.add_member(group=group, person=person, acting_user=None, role=role, joined_on=joined)
                    result.members += 1
            if spec.kind == "community" and not group.household_links.exists():
                for household in _households(operation, place, spec.households, rng):
                    joined = today - dt.timedelta(days=rng.randint(30, 900))
                    actions.add_household(group=group, household=household, acting_user=None, joined_on=joined)
                    result.households += 1
    return result


def _names() -> list[str]:
    return [spec.name_latin for spec in GROUPS]


def _site(operation: Operation, code: str, areas: dict[str, AdminArea], result: DemoGroups) -> Site | None:
    """The demo site `code` of the operation, or a site of the same type in the same district, or the demo site
    added now (None when its district is not loaded)."""
    spec = next(row for row in SITES if row[0] == code)
    _code, name, kind, pcode, latitude, longitude = spec
    sites = Site.objects.filter(operation=operation).select_related("admin_area")
    found = sites.filter(code=code).first() or sites.filter(type=kind, admin_area__pcode=pcode).order_by("code").first()
    if found is not None or pcode not in areas:
        return found
    result.sites += 1
    return Site.objects.create(
        operation=operation,
        code=code,
        name=name,
        type=kind,
        admin_area=areas[pcode],
        latitude=latitude,
        longitude=longitude,
    )


def _people(
    operation: Operation, place: AdminArea | None, count: int, rng: random.Random, used: set[object]
) -> list[Person]:
    """`count` active adults, of `place` when it has enough people, preferably not yet drawn for another demo
    group (a bounded read: never the whole registry)."""
    if count <= 0:
        return []
    adults = Person.objects.filter(operation=operation, status="active", birth_date__lte=dt.date(2006, 1, 1))
    pool = list(adults.filter(admin_area=place).order_by()[:400]) if place is not None else []
    if len(pool) < count:
        pool += list(adults.order_by()[:2000])
    unique = list(dict.fromkeys(pool))
    fresh = [p for p in unique if p.pk not in used]
    chosen = rng.sample(fresh, min(count, len(fresh)))
    if len(chosen) < count:  # a small registry: some people belong to more than one group, as they do
        others = [p for p in unique if p not in chosen]
        chosen += rng.sample(others, min(count - len(chosen), len(others)))
    used.update(p.pk for p in chosen)
    return chosen


def _households(operation: Operation, place: AdminArea | None, count: int, rng: random.Random) -> list[Household]:
    if count <= 0:
        return []
    households = Household.objects.filter(operation=operation)
    pool = list(households.filter(admin_area=place).order_by()[:200]) if place is not None else []
    if len(pool) < count:
        pool += list(households.order_by()[:500])
    unique = list(dict.fromkeys(pool))
    return rng.sample(unique, min(count, len(unique)))
