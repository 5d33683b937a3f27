"""The read side of the review of duplicates: the queue and its counts, groups of linked records, the
side-by-side comparison, merges and runs. Always through visible_to; the caller paginates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from passage.core.models import Office, Operation
from passage.matching.merge_fields import (
    FIELDS_BY_KEY,
    HOUSEHOLD,
    MAX_PEOPLE,
    MERGE_FIELDS,
    current_households,
    default_choices,
    default_survivor,
    is_empty,
)
from passage.matching.models import (
    Band,
    BulkDecision,
    CandidatePair,
    CheckState,
    Decision,
    MatchRun,
    PersonMerge,
)
from passage.registry.access import mask, may_see_sensitive
from passage.registry.models import Person, PersonStatus, RegistrationImport
from passage.registry.views import birth_date_display

# What the queue shows: open pairs (the default), and the other decisions to look back at.
VIEWS = ("open", "unsure", "to_check", "same", "different", "all")
LETTERS = "ABCDEFGH"


@dataclass(frozen=True)
class QueueFilters:
    view: str = "open"
    band: str = ""
    run: MatchRun | None = None
    office: Office | None = None
    registration_import: RegistrationImport | None = None
    min_probability: float | None = None

    @property
    def narrowed(self) -> bool:
        return bool(self.band or self.run or self.office or self.registration_import or self.min_probability)


def pairs_for(user: Any, operation: Operation) -> QuerySet[CandidatePair]:
    return CandidatePair.objects.visible_to(user).filter(operation=operation)


def _both_active(pairs: QuerySet[CandidatePair]) -> QuerySet[CandidatePair]:
    """A record merged since the pair was found leaves the pair aside (an undo brings it back)."""
    return pairs.exclude(person_a__status=PersonStatus.MERGED).exclude(person_b__status=PersonStatus.MERGED)


def filtered_pairs(user: Any, operation: Operation, filters: QueueFilters) -> QuerySet[CandidatePair]:
    pairs = pairs_for(user, operation)
    view = filters.view if filters.view in VIEWS else "open"
    if view == "open":
        pairs = _both_active(pairs.filter(decision=Decision.OPEN)).exclude(quality_check__state=CheckState.TO_CHECK)
    elif view == "to_check":
        pairs = _both_active(pairs.filter(decision=Decision.OPEN, quality_check__state=CheckState.TO_CHECK))
    elif view == "unsure":
        pairs = _both_active(pairs.filter(decision=Decision.UNSURE))
    elif view in (Decision.SAME, Decision.DIFFERENT):
        pairs = pairs.filter(decision=view)
    if filters.band in Band.values:
        pairs = pairs.filter(band=filters.band)
    if filters.run is not None:
        pairs = pairs.filter(run=filters.run)
    if filters.office is not None:
        pairs = pairs.filter(Q(person_a__office=filters.office) | Q(person_b__office=filters.office))
    if filters.registration_import is not None:
        chosen = filters.registration_import
        pairs = pairs.filter(Q(person_a__source_import=chosen) | Q(person_b__source_import=chosen))
    if filters.min_probability is not None:
        pairs = pairs.filter(probability__gte=filters.min_probability)
    return pairs.order_by("-probability", "id")


def review_queue(user: Any, operation: Operation, filters: QueueFilters) -> QuerySet[CandidatePair]:
    """The pairs to show, most probable first, each with how many other open pairs touch its two records (a
    group of linked records to compare together)."""
    touching = (
        CandidatePair.objects.filter(operation=operation, decision=Decision.OPEN, same_cluster=True)
        .filter(
            Q(person_a=OuterRef("person_a"))
            | Q(person_b=OuterRef("person_a"))
            | Q(person_a=OuterRef("person_b"))
            | Q(person_b=OuterRef("person_b"))
        )
        .exclude(pk=OuterRef("pk"))
        .order_by()
        .values("operation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        filtered_pairs(user, operation, filters)
        .select_related("person_a", "person_b", "run", "decided_by", "quality_check__bulk__started_by")
        .annotate(linked=Coalesce(Subquery(touching, output_field=IntegerField()), Value(0)))
    )


def next_pair_id(user: Any, operation: Operation, *, after: CandidatePair | None = None) -> Any:
    """The most probable open pair but this one: where the reviewer goes next."""
    pairs = filtered_pairs(user, operation, QueueFilters())
    if after is not None:
        pairs = pairs.exclude(pk=after.pk)
    return pairs.values_list("pk", flat=True).first()


def queue_counts(user: Any, operation: Operation) -> dict[str, int]:
    """How many pairs wait in each view (one query)."""
    pairs = pairs_for(user, operation)
    active = ~Q(person_a__status=PersonStatus.MERGED) & ~Q(person_b__status=PersonStatus.MERGED)
    open_ = Q(decision=Decision.OPEN) & active
    checking = Q(quality_check__state=CheckState.TO_CHECK)
    counts = pairs.aggregate(
        open=Count("pk", filter=open_ & ~checking),
        open_probable=Count("pk", filter=open_ & ~checking & Q(band=Band.PROBABLE)),
        open_review=Count("pk", filter=open_ & ~checking & Q(band=Band.REVIEW)),
        to_check=Count("pk", filter=open_ & checking),
        unsure=Count("pk", filter=Q(decision=Decision.UNSURE) & active),
        same=Count("pk", filter=Q(decision=Decision.SAME)),
        different=Count("pk", filter=Q(decision=Decision.DIFFERENT)),
        all=Count("pk"),
    )
    return {name: int(value or 0) for name, value in counts.items()}


def escalation_notes(pairs: Iterable[CandidatePair]) -> dict[Any, str]:
    """The note of the latest decision of each pair (why it was marked unsure), from the audit trail."""
    from passage.core.models import AuditEvent

    ids = [str(p.pk) for p in pairs]
    notes: dict[Any, str] = {}
    events = AuditEvent.objects.filter(
        object_type="matching.candidatepair", object_id__in=ids, action="matching.pair.decide"
    )
    for object_id, note in events.order_by("-id").values_list("object_id", "note"):
        notes.setdefault(object_id, note)
    return notes


def group_of(user: Any, pair: CandidatePair) -> list[Person]:
    """The pair's records and those the run put in one cluster with them through open pairs, at most MAX_PEOPLE,
    registered first first."""
    people = {pair.person_a_id, pair.person_b_id}
    frontier = set(people)
    pairs = _both_active(
        pairs_for(user, pair.operation).filter(decision__in=[Decision.OPEN, Decision.UNSURE], same_cluster=True)
    )
    while frontier and len(people) < MAX_PEOPLE:
        linked = pairs.filter(Q(person_a__in=frontier) | Q(person_b__in=frontier)).values_list(
            "person_a_id", "person_b_id"
        )
        found = {pk for row in linked[: MAX_PEOPLE * 4] for pk in row} - people
        frontier = set(sorted(found)[: MAX_PEOPLE - len(people)])
        people |= frontier
    records = Person.objects.visible_to(user).filter(pk__in=people).select_related("office", "admin_area", "site")
    return sorted(records, key=lambda p: (p.created_at, p.reference))


# --- the comparison -----------------------------------------------------------------------------------------


@dataclass
class Cell:
    person: Person
    text: str
    empty: bool
    chosen: bool = False


@dataclass
class CompareRow:
    key: str
    label: str
    cells: list[Cell]
    choosable: bool = False
    tone: str = ""  # agree, disagree, mixed, or '' (nothing to compare)
    weights: list[dict[str, Any]] = field(default_factory=list)  # the engine's weight per pair, on a group's 1st
    group_size: int = 1
    first_in_group: bool = True
    ltr: bool = False
    engine: str = ""  # the engine's field that speaks for this row (passage.matching.compare.FIELDS)


@dataclass
class Comparison:
    people: list[Person]
    letters: dict[Any, str]
    survivor: Person
    rows: list[CompareRow]
    pairs: list[CandidatePair]
    weight_scale: float
    sensitive: bool


def comparison(user: Any, people: list[Person], pairs: list[CandidatePair]) -> Comparison:
    """Every record side by side: a row per value, coloured by whether the records agree (the engine's weights
    for the fields it compares, equality for the others), with radio buttons where the records differ."""
    survivor = default_survivor(people)
    choices = default_choices(survivor, [p for p in people if p.pk != survivor.pk])
    letters = {p.pk: LETTERS[n] for n, p in enumerate(people)}
    sensitive = all(may_see_sensitive(user, p) for p in people)
    explained: dict[str, list[dict[str, Any]]] = {}
    for pair in pairs:
        label = f"{letters.get(pair.person_a_id, '?')}–{letters.get(pair.person_b_id, '?')}"
        for item in pair.explanation or []:
            explained.setdefault(item["field"], []).append(
                {"pair": label, "weight": float(item["weight"]), "level": item.get("level", "")}
            )
    households = current_households(people)
    phones, documents = _numbers(people, sensitive)
    rows: list[CompareRow] = []
    rows.append(_info_row("reference", _("Registration number"), people, lambda p: p.reference, ltr=True))
    rows.append(_info_row("registered", _("Registered"), people, lambda p: p.created_at.strftime("%Y-%m-%d"), ltr=True))
    for merge_field in MERGE_FIELDS:

        def show(person: Person, merge_field: Any = merge_field) -> str:
            return _display(person, merge_field.key, birth_date_display)

        row = _info_row(merge_field.key, str(merge_field.label), people, show, engine=merge_field.engine_field)
        for cell in row.cells:
            cell.chosen = choices[merge_field.key] == str(cell.person.pk)
            cell.empty = is_empty(cell.person, merge_field)
        given = [cell.text for cell in row.cells if not cell.empty]
        row.choosable = bool(given) and (len(set(given)) > 1 or len(given) < len(row.cells))
        rows.append(row)
    rows.append(_info_row("other_names", _("Other names"), people, lambda p: ", ".join(p.other_names or [])))
    rows.append(_info_row("phones", _("Phones"), people, lambda p: phones.get(p.pk, ""), engine="phone", ltr=True))
    rows.append(
        _info_row(
            "documents", _("Identity documents"), people, lambda p: documents.get(p.pk, ""), engine="document_number"
        )
    )
    household = _info_row(HOUSEHOLD, _("Current household"), people, lambda p: _household_text(households.get(p.pk)))
    household.choosable = sum(1 for p in people if households.get(p.pk)) > 1
    for cell in household.cells:
        cell.chosen = choices[HOUSEHOLD] == str(cell.person.pk)
    rows.append(household)
    rows = [row for row in rows if any(not cell.empty for cell in row.cells) or row.key == "reference"]
    for row in rows:
        _tone(row, explained)
    _group_engine_rows(rows)
    scale = max([abs(w["weight"]) for items in explained.values() for w in items] + [1.0])
    for items in explained.values():
        for item in items:
            item["percent"] = round(min(100.0, 100 * abs(item["weight"]) / scale))
            item["for"] = item["weight"] > 0
    return Comparison(people, letters, survivor, rows, pairs, scale, sensitive)


def _info_row(
    key: str, label: str, people: list[Person], show: Any, *, engine: str = "", ltr: bool = False
) -> CompareRow:
    cells = []
    for person in people:
        text = show(person) or ""
        cells.append(Cell(person, text, not text))
    return CompareRow(key, label, cells, ltr=ltr, engine=engine)


def _tone(row: CompareRow, explained: dict[str, list[dict[str, Any]]]) -> None:
    row.weights = explained.get(row.engine, []) if row.engine else []
    given = [cell.text for cell in row.cells if not cell.empty]
    if row.key in ("reference", "registered") or not given or (len(given) < 2 and not row.weights):
        row.tone = ""
        return
    if row.weights:  # the engine compared the records on this field (as written in one, in Latin in another)
        signs = {w["weight"] > 0 for w in row.weights}
        row.tone = "mixed" if len(signs) > 1 else ("agree" if signs == {True} else "disagree")
    else:
        row.tone = "agree" if len(set(given)) == 1 else "disagree"


def _group_engine_rows(rows: list[CompareRow]) -> None:
    """Rows the same engine field speaks for share one weight chart (given name as written and in Latin
    letters): the first carries it, over as many rows as follow."""
    index = 0
    while index < len(rows):
        engine = rows[index].engine
        end = index + 1
        while engine and end < len(rows) and rows[end].engine == engine:
            rows[end].first_in_group = False
            end += 1
        rows[index].group_size = end - index
        index = end


def _display(person: Person, key: str, birth: Any) -> str:
    if key == "birth_date":
        if person.birth_date is None:
            return ""
        return f"{birth(person)} ({person.get_birth_date_precision_display()})"
    if key == "sex":
        return "" if person.sex == "unknown" else str(person.get_sex_display())
    if key == "marital_status":
        return "" if person.marital_status == "unknown" else str(person.get_marital_status_display())
    if key == "place":
        parts = []
        if person.admin_area is not None:
            parts.append(f"{person.admin_area.local_name} ({person.admin_area.pcode})")
        if person.site is not None:
            parts.append(person.site.name)
        return " · ".join(parts)
    if key == "office":
        return person.office.name if person.office else ""
    if key in ("nationalities", "languages"):
        return ", ".join(getattr(person, key) or [])
    if key == "disability":
        from passage.registry.form_fields import WASHINGTON_GROUP_LABELS

        return "; ".join(
            f"{domain.replace('_', ' ')}: {WASHINGTON_GROUP_LABELS.get(answer, answer)}"
            for domain, answer in sorted((person.disability or {}).items())
        )
    merge_field = FIELDS_BY_KEY[key]
    return " ".join(str(getattr(person, name) or "") for name in merge_field.attributes).strip()


def _numbers(people: list[Person], sensitive: bool) -> tuple[dict[Any, str], dict[Any, str]]:
    from passage.registry.models import IdentityDocument, Phone

    ids = [p.pk for p in people]
    phones: dict[Any, list[str]] = {}
    for phone in Phone.objects.filter(person_id__in=ids).order_by("-is_primary", "id"):
        phones.setdefault(phone.person_id, []).append(phone.number if sensitive else mask(phone.number))
    documents: dict[Any, list[str]] = {}
    for document in IdentityDocument.objects.filter(person_id__in=ids).order_by("type", "id"):
        number = document.number if sensitive else mask(document.number)
        documents.setdefault(document.person_id, []).append(f"{document.get_type_display()} {number}")
    return (
        {pk: ", ".join(items) for pk, items in phones.items()},
        {pk: ", ".join(items) for pk, items in documents.items()},
    )


def _household_text(member: Any) -> str:
    if member is None:
        return ""
    return f"{member.household.reference} · {member.get_relationship_display()}"


# --- merges, runs, bulk decisions ---------------------------------------------------------------------------


def merges_for(user: Any, operation: Operation) -> QuerySet[PersonMerge]:
    return (
        PersonMerge.objects.visible_to(user)
        .filter(operation=operation)
        .select_related("survivor", "merged_by", "undone_by", "bulk")
        .prefetch_related("merged")
    )


def runs_for(user: Any, operation: Operation) -> QuerySet[MatchRun]:
    return (
        MatchRun.objects.visible_to(user)
        .filter(operation=operation)
        .select_related("job", "started_by", "registration_import")
    )


def bulk_decisions_for(user: Any, operation: Operation) -> Any:
    return (
        BulkDecision.objects.visible_to(user)
        .filter(operation=operation)
        .select_related("job", "started_by")
        .annotate(
            checked=Count("checks", filter=~Q(checks__state=CheckState.TO_CHECK)),
            confirmed=Count("checks", filter=Q(checks__state=CheckState.CONFIRMED)),
        )
    )


def imports_with_pairs(operation: Operation) -> QuerySet[RegistrationImport]:
    """The operation's imports a run looked at, for the queue's filter."""
    return (
        RegistrationImport.objects.filter(operation=operation, match_runs__isnull=False)
        .distinct()
        .order_by("-created_at")
    )
