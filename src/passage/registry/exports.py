"""Exports of the registry: lists of the people a user may see as CSV or XLSX, and counts of people by
administrative area, sex and age group (a table, a chart, and HXL-tagged CSV).

Lists are written row by row to a file, a chunk of people at a time with their phones, documents and
household prefetched per chunk, so that a million people never sit in memory. Spreadsheet safety, the file
formats, their protection and the suppression of small counts are every export's (passage.core.exporting).

Counts suppress small cells: a count under the threshold is shown as "<5" and never totalled, so that
nobody can be singled out nor recomputed from a total. Who may see counts is `countable_people`; it needs
person.aggregate, not person.view, because counts hold no personal data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, F, Prefetch, Q, QuerySet, UUIDField, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from passage.core.access import can, grants
from passage.core.exporting import (  # noqa: F401  (export_actions and the views read them from here)
    CHUNK,
    FORMATS,
    PASSWORD_MIN_LENGTH,
    neutralise,
    small_cell_threshold,
    suppress,
    write_xlsx,
)
from passage.core.exporting import write_csv as write_csv
from passage.core.models import Operation
from passage.registry.access import mask
from passage.registry.models import AdminArea, HouseholdMember, Person, PersonStatus

AGE_GROUPS = ((0, 4, "0-4"), (5, 11, "5-11"), (12, 17, "12-17"), (18, 59, "18-59"), (60, 200, "60+"))
AGE_GROUP_LABELS = [label for _low, _high, label in AGE_GROUPS] + ["unknown"]
SEXES = ("female", "male", "other", "unknown")

# --- lists of people ----------------------------------------------------------------------------------

BASIC, PERSONAL, SENSITIVE = "basic", "personal", "sensitive"


@dataclass(frozen=True)
class RowContext:
    """What a column needs besides the person: the day ages are counted on, and whether the user may
    see this person's phones and documents."""

    today: dt.date
    sensitive_shown: Callable[[Person], bool]


@dataclass(frozen=True)
class Column:
    label: Promise
    group: str
    value: Callable[[Person, RowContext], Any]


def _current_membership(person: Person) -> HouseholdMember | None:
    current = getattr(person, "current_memberships", None)
    return current[0] if current else None


def _phones(person: Person, ctx: RowContext) -> str:
    shown = ctx.sensitive_shown(person)
    return "; ".join(phone.number if shown else mask(phone.number) for phone in person.phones.all())


def _documents(person: Person, ctx: RowContext) -> str:
    shown = ctx.sensitive_shown(person)
    return "; ".join(
        " ".join(
            part
            for part in (document.type, document.issuing_country, document.number if shown else mask(document.number))
            if part
        )
        for document in person.documents.all()
    )


COLUMNS: tuple[Column, ...] = (
    Column(gettext_lazy("Registration number"), BASIC, lambda p, c: p.reference),
    Column(gettext_lazy("Sex"), BASIC, lambda p, c: p.sex),
    Column(gettext_lazy("Age group"), BASIC, lambda p, c: age_group(p.birth_date, c.today)),
    Column(gettext_lazy("P-code"), BASIC, lambda p, c: p.admin_area.pcode if p.admin_area else ""),
    Column(gettext_lazy("Area"), BASIC, lambda p, c: p.admin_area.name if p.admin_area else ""),
    Column(gettext_lazy("Office"), BASIC, lambda p, c: p.office.name if p.office else ""),
    Column(gettext_lazy("Status"), BASIC, lambda p, c: p.status),
    Column(gettext_lazy("Registered on"), BASIC, lambda p, c: p.created_at.date()),
    Column(gettext_lazy("Given name"), PERSONAL, lambda p, c: p.given_name),
    Column(gettext_lazy("Father's name"), PERSONAL, lambda p, c: p.father_name),
    Column(gettext_lazy("Grandfather's name"), PERSONAL, lambda p, c: p.grandfather_name),
    Column(gettext_lazy("Family name"), PERSONAL, lambda p, c: p.family_name),
    Column(gettext_lazy("Full name as written"), PERSONAL, lambda p, c: p.display_name),
    Column(gettext_lazy("Given name (Latin letters)"), PERSONAL, lambda p, c: p.given_name_latin),
    Column(gettext_lazy("Father's name (Latin letters)"), PERSONAL, lambda p, c: p.father_name_latin),
    Column(gettext_lazy("Grandfather's name (Latin letters)"), PERSONAL, lambda p, c: p.grandfather_name_latin),
    Column(gettext_lazy("Family name (Latin letters)"), PERSONAL, lambda p, c: p.family_name_latin),
    Column(gettext_lazy("Full name (Latin letters)"), PERSONAL, lambda p, c: p.display_name_latin),
    Column(gettext_lazy("Date of birth"), PERSONAL, lambda p, c: p.birth_date),
    Column(gettext_lazy("Precision of the date of birth"), PERSONAL, lambda p, c: p.birth_date_precision),
    Column(gettext_lazy("Marital status"), PERSONAL, lambda p, c: p.marital_status),
    Column(gettext_lazy("Nationalities"), PERSONAL, lambda p, c: " ".join(p.nationalities or [])),
    Column(gettext_lazy("Languages"), PERSONAL, lambda p, c: " ".join(p.languages or [])),
    Column(
        gettext_lazy("Household number"),
        PERSONAL,
        lambda p, c: m.household.reference if (m := _current_membership(p)) else "",
    ),
    Column(
        gettext_lazy("Relationship to the head"),
        PERSONAL,
        lambda p, c: m.relationship if (m := _current_membership(p)) else "",
    ),
    Column(gettext_lazy("Phone numbers"), SENSITIVE, _phones),
    Column(gettext_lazy("Identity documents"), SENSITIVE, _documents),
)


def columns_for(*, personal: bool, sensitive: bool) -> list[Column]:
    groups = {BASIC} | ({PERSONAL} if personal else set()) | ({SENSITIVE} if sensitive else set())
    return [column for column in COLUMNS if column.group in groups]


def for_export(people: QuerySet[Person], columns: Iterable[Column]) -> QuerySet[Person]:
    """`people` with what the columns read fetched with each chunk, never person by person."""
    groups = {column.group for column in columns}
    people = people.select_related("admin_area", "office")
    if PERSONAL in groups:
        current = HouseholdMember.objects.filter(left_on__isnull=True).select_related("household")
        people = people.prefetch_related(
            Prefetch("household_memberships", queryset=current, to_attr="current_memberships")
        )
    if SENSITIVE in groups:
        people = people.prefetch_related("phones", "documents")
    return people


def people_rows(people: Iterable[Person], columns: list[Column], *, user: Any, today: dt.date) -> Iterator[list[str]]:
    """One row of text per person; phones and documents masked where `user` may not see them."""
    context = RowContext(today=today, sensitive_shown=lambda person: can(user, "person.view_sensitive", person))
    for person in people:
        yield [neutralise(column.value(person, context)) for column in columns]


def iterate(people: QuerySet[Person], chunk_size: int = CHUNK) -> Iterator[Person]:
    """Stream the queryset: prefetches run once per chunk of `chunk_size` people."""
    return people.iterator(chunk_size=chunk_size)


def people_csv(people: Iterable[Person], columns: list[Column], *, user: Any, today: dt.date) -> bytes:
    """A small list as CSV bytes (the job writes to a file instead)."""
    out = io.BytesIO()
    write_csv([str(c.label) for c in columns], people_rows(people, columns, user=user, today=today), out)
    return out.getvalue()


def people_xlsx(people: Iterable[Person], columns: list[Column], *, user: Any, today: dt.date) -> bytes:
    out = io.BytesIO()
    header = [str(c.label) for c in columns]
    write_xlsx(header, people_rows(people, columns, user=user, today=today), out, title=_("People"))
    return out.getvalue()


# --- counts of people -----------------------------------------------------------------------------------


def age_group(birth_date: dt.date | None, today: dt.date) -> str:
    """ "0-4" ... "60+", or "unknown" without a date of birth; the same rule as the database's below."""
    if birth_date is None:
        return "unknown"
    for _low, high, label in AGE_GROUPS[:-1]:
        if birth_date > years_before(today, high + 1):
            return label
    return AGE_GROUPS[-1][2]


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier (29 February becomes the 28th in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _age_group_expression(today: dt.date) -> Case:
    """The age group computed by the database, the same as `age_group` (someone is 5 from the day they
    were born plus five years)."""
    whens = [When(birth_date__isnull=True, then=Value("unknown"))]
    for _low, high, label in AGE_GROUPS[:-1]:
        whens.append(When(birth_date__gt=years_before(today, high + 1), then=Value(label)))
    return Case(*whens, default=Value(AGE_GROUPS[-1][2]), output_field=CharField())


def _area_at_level(level: int) -> Case:
    """The id of the person's area at `level`: their own area, or the ancestor at that level (the hierarchy
    is stored, so this walks parents; an area coarser than `level` gives NULL)."""
    whens = []
    path = "admin_area_id"
    for depth in range(0, 5 - level):
        whens.append(When(admin_area__level=level + depth, then=F(path)))
        path = "admin_area__" + "parent__" * depth + "parent_id"
    return Case(*whens, default=None, output_field=UUIDField())


def countable_people(user: Any, operation: Operation) -> QuerySet[Person]:
    """The active people `user` may count in `operation`: all of them with person.aggregate, or those of
    the user's offices (and of no office) when every role that grants it is limited to some offices."""
    people = Person.objects.filter(operation=operation, status=PersonStatus.ACTIVE)
    if getattr(user, "is_superuser", False):
        return people
    holding = [grant for grant in grants(user, operation.pk) if "person.aggregate" in grant.permissions]
    if not holding:
        return people.none()
    if any(grant.office_ids is None for grant in holding):
        return people
    offices = {office for grant in holding for office in grant.office_ids or ()}
    return people.filter(Q(office_id__in=offices) | Q(office__isnull=True))


@dataclass(frozen=True)
class Cell:
    pcode: str
    area: str
    sex: str
    age_group: str
    count: int | None  # None when suppressed
    shown: str  # the count, or "<5"


@dataclass(frozen=True)
class Aggregates:
    operation: Operation
    level: int
    threshold: int
    as_of: dt.date
    cells: list[Cell]
    areas: list[tuple[str, str]] = field(default_factory=list)  # (P-code, name) in table order

    @property
    def suppressed(self) -> int:
        return sum(1 for cell in self.cells if cell.count is None)

    def chart(self) -> dict[str, Any]:
        """Per area, a bar per age group and sex, from the published cells only (suppressed ones are gaps)."""
        sexes = [sex for sex in SEXES if any(c.sex == sex for c in self.cells)]
        series: dict[str, Any] = {}
        for cell in self.cells:
            area = series.setdefault(cell.pcode, {s: [0] * len(AGE_GROUP_LABELS) for s in sexes})
            area[cell.sex][AGE_GROUP_LABELS.index(cell.age_group)] = cell.count
        return {
            "ageGroups": AGE_GROUP_LABELS,
            "sexes": sexes,
            "areas": [{"pcode": pcode, "name": name, "series": series.get(pcode, {})} for pcode, name in self.areas],
        }


def aggregate_people(
    people: QuerySet[Person], operation: Operation, *, level: int, threshold: int, today: dt.date
) -> Aggregates:
    """Counts of `people` by area at `level`, sex and age group: one GROUP BY in the database."""
    grouped = (
        people.order_by()
        .annotate(area_key=_area_at_level(level), age_key=_age_group_expression(today))
        .values("area_key", "sex", "age_key")
        .annotate(n=Count("id"))
    )
    counts = [(row["area_key"], row["sex"], row["age_key"], row["n"]) for row in grouped]
    names = {
        area.pk: (area.pcode, area.name)
        for area in AdminArea.objects.filter(pk__in={key for key, *_rest in counts if key is not None})
    }
    unknown = ("", _("Not known at this level"))
    cells = []
    for key, sex, group, number in counts:
        pcode, name = names.get(key, unknown) if key is not None else unknown
        cells.append(Cell(pcode, name, sex, group, *suppress(number, threshold)))
    order = {label: index for index, label in enumerate(AGE_GROUP_LABELS)}
    cells.sort(
        key=lambda c: (c.pcode == "", c.pcode, SEXES.index(c.sex) if c.sex in SEXES else 9, order.get(c.age_group, 9))
    )
    areas = list(dict.fromkeys((cell.pcode, cell.area) for cell in cells))
    return Aggregates(operation, level, threshold, today, cells, areas)


def hxl_tags(level: int) -> list[str]:
    place = "#country" if level == 0 else f"#adm{level}"
    return [
        f"{place}+code",
        f"{place}+name",
        "#beneficiary+sex",
        "#beneficiary+age+group",
        "#affected+ind",
        "#meta+suppressed",
        "#date+reported",
    ]


def aggregates_hxl(aggregates: Aggregates) -> bytes:
    """HXL-tagged CSV, valid for libhxl's default schema: the count column holds numbers only, so a
    suppressed cell leaves it empty and says "<5" in the column tagged #meta+suppressed."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("P-code"),
            _("Area"),
            _("Sex"),
            _("Age group"),
            _("People"),
            _("Suppressed (fewer than %(n)s)") % {"n": aggregates.threshold},
            _("As of"),
        ]
    )
    writer.writerow(hxl_tags(aggregates.level))
    as_of = aggregates.as_of.isoformat()
    for cell in aggregates.cells:
        suppressed = cell.count is None
        writer.writerow(
            [
                neutralise(cell.pcode),
                neutralise(cell.area),
                cell.sex,
                cell.age_group,
                "" if suppressed else cell.count,
                cell.shown if suppressed else "",
                as_of,
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
