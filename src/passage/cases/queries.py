"""The read side of cases: caseloads, the board, a case's page, its timeline, and the facts the workflow engine
judges a transition by. Every list starts from Case.objects.visible_to(user) — lists, searches, counts and
exports alike — and owns its select_related, so that a page costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.db.models import CharField, Count, F, Q, QuerySet, Value, Window
from django.db.models.functions import Cast, RowNumber
from django.utils import timezone

from passage.cases.access import VIEW, notes_for
from passage.cases.assessment_queries import completed_forms
from passage.cases.models import (
    Case,
    CaseAccess,
    CaseApproval,
    CaseDocument,
    CaseNote,
    CaseStateChange,
    Priority,
    Sensitivity,
    Task,
)
from passage.cases.workflows.engine import CaseFacts, GivenApproval
from passage.core import access
from passage.core.models import AuditEvent, Membership, Operation, User
from passage.registry.names import fold_name, skeleton

if TYPE_CHECKING:
    from passage.cases.models.cases import CaseQuerySet

# Case fields a workflow may require to be set (a transition's requires.fields), and the attribute that holds
# each: a field is set when that attribute is neither None nor empty.
CASE_FIELDS: dict[str, str] = {
    "caseworker": "caseworker_id",
    "office": "office_id",
    "priority": "priority",
    "sensitivity": "sensitivity",
}
TABS = ("mine", "office", "overdue", "state")
BOARD_CARDS = 12  # cards shown per column of the board
REFERENCE = re.compile(r"^[A-Z]{2,8}-\d{4}-\d{1,6}$")
SUBJECT_RELATIONS = ("person", "household", "group")


# --- facts for the workflow engine --------------------------------------------------------------------------


def case_facts(case: Case) -> CaseFacts:
    """What the engine needs to judge the case's transitions: forms completed (assessment_queries), documents
    present (by kind), fields set, approvals given in the current state and not yet used, and who took which step
    before."""
    documents = set(
        CaseDocument.objects.filter(case=case, removed_at__isnull=True)
        .order_by()
        .values_list("kind", flat=True)
        .distinct()
    )
    approvals = [
        GivenApproval(transition=a.transition, approver=a.decided_by_id, roles=frozenset({a.approver_role}))
        for a in CaseApproval.objects.filter(
            case=case, state=case.state, decision="approved", used_at__isnull=True
        ).only("transition", "decided_by_id", "approver_role")
    ]
    taken: dict[str, set[Any]] = {}
    for transition, by_id in CaseStateChange.objects.filter(case=case, kind="transition").values_list(
        "transition", "by_id"
    ):
        if by_id is not None:
            taken.setdefault(transition, set()).add(by_id)
    fields = {name for name, attribute in CASE_FIELDS.items() if getattr(case, attribute) not in (None, "")}
    fields |= {name for name, value in case.detail_values.items() if value not in (None, "")}
    forms = completed_forms(case)
    return CaseFacts.of(forms=forms, documents=documents, fields=fields, approvals=approvals, taken_by=taken)


# --- caseloads ----------------------------------------------------------------------------------------------


@dataclass
class CaseFilters:
    """What a caseload is narrowed to; empty values mean "any"."""

    tab: str = "mine"
    text: str = ""
    programme: str = ""
    office: str = ""
    state: str = ""
    priority: str = ""
    status: str = "open"  # open, closed, all
    caseworker: str = ""

    @classmethod
    def from_params(cls, data: Any) -> CaseFilters:
        """The filters of a caseload's query string (or an export's parameters), unknown values dropped."""
        tab = str(data.get("tab") or "mine")
        status = str(data.get("status") or "open")
        return cls(
            tab=tab if tab in TABS else "mine",
            text=str(data.get("q") or "").strip()[:200],
            programme=str(data.get("programme") or "")[:40],
            office=str(data.get("office") or "")[:40],
            state=str(data.get("state") or "")[:64],
            priority=str(data.get("priority") or "")[:4],
            status=status if status in ("open", "closed", "all") else "open",
            caseworker=str(data.get("caseworker") or "")[:40],
        )

    def params(self) -> dict[str, str]:
        """The query string of these filters (the inverse of from_params), without the empty ones."""
        values = {
            "tab": self.tab,
            "q": self.text,
            "programme": self.programme,
            "office": self.office,
            "state": self.state,
            "priority": self.priority,
            "status": self.status,
            "caseworker": self.caseworker,
        }
        return {key: value for key, value in values.items() if value}

    @property
    def narrowed(self) -> bool:
        return bool(self.text or self.programme or self.office or self.state or self.priority or self.caseworker) or (
            self.status != "open"
        )


def visible_cases(user: Any, operation: Operation) -> QuerySet[Case]:
    """Every case of the operation the user may see: the one starting point of every list, search, count and
    export."""
    return cast("QuerySet[Case]", Case.objects.visible_to(user).filter(operation=operation))


def my_offices(user: Any, operation: Operation) -> list[uuid.UUID] | None:
    """The offices the user's case roles are limited to in the operation; None: every office."""
    offices: set[uuid.UUID] = set()
    for grant in access.grants(user, operation.pk):
        if VIEW not in grant.permissions:
            continue
        if grant.office_ids is None:
            return None
        offices |= grant.office_ids
    return sorted(offices)


def _overdue(now: dt.datetime) -> Q:
    # IN rather than EXISTS: the database may read the late tasks once (open_task_late) for a count.
    late = Task.objects.filter(done_at__isnull=True, due_on__lt=timezone.localdate(now)).values("case_id")
    return Q(closed_at__isnull=True) & (Q(state_due_at__lt=now) | Q(pk__in=late))


def overdue_filter(now: dt.datetime) -> Q:
    """Open cases past their state's deadline, or with an open task past its due date (the Overdue tab's rule)."""
    return _overdue(now)


def _tab(cases: QuerySet[Case], user: Any, operation: Operation, tab: str, now: dt.datetime) -> QuerySet[Case]:
    if tab == "mine":
        return cases.filter(caseworker_id=user.pk)
    if tab == "office":
        offices = my_offices(user, operation)
        return cases if offices is None else cases.filter(office_id__in=offices)
    if tab == "overdue":
        return cases.filter(_overdue(now))
    return cases


def search(cases: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Cases whose number is `text` (or starts with it), or whose person's name has every word of `text` (as
    the registry searches names, in any script), or whose household or group number or group name matches."""
    text = text.strip()
    if not text:
        return cases
    upper = text.upper()
    if REFERENCE.match(upper):
        return cases.filter(reference=upper)
    if re.fullmatch(r"[A-Z]{2,8}-[0-9-]*", upper):
        return cases.filter(reference__startswith=upper)
    if re.fullmatch(r"(P|HH|GR)-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", upper):
        return cases.filter(Q(person__reference=upper) | Q(household__reference=upper) | Q(group__reference=upper))
    names = Q()
    for part in fold_name(text).split():
        words = Q(person__search_names__contains=" " + part)
        key = skeleton(part)
        if key:
            words |= Q(person__search_names__contains=f" ~{key}~")
        names &= words
    groups = Q()
    for word in text.split():
        groups &= Q(group__name__icontains=word) | Q(group__name_latin__icontains=word)
    return cases.filter(names | groups)


def _narrowed(
    cases: QuerySet[Case], user: Any, operation: Operation, filters: CaseFilters, now: dt.datetime
) -> QuerySet[Case]:
    cases = _tab(cases, user, operation, filters.tab, now)
    if filters.status == "open":
        cases = cases.filter(closed_at__isnull=True)
    elif filters.status == "closed":
        cases = cases.filter(closed_at__isnull=False)
    for name, column in (("programme", "programme_id"), ("office", "office_id"), ("caseworker", "caseworker_id")):
        value = getattr(filters, name)
        if value:
            try:
                cases = cases.filter(**{column: uuid.UUID(value)})
            except ValueError:
                return cases.none()
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.priority and filters.priority.isdigit():
        cases = cases.filter(priority=int(filters.priority))
    return search(cases, filters.text)


def caseload(
    user: Any, operation: Operation, filters: CaseFilters, *, now: dt.datetime | None = None
) -> QuerySet[Case]:
    """The cases of one tab and filters, most urgent first: priority, then the state's due date, then the
    oldest. Counted (for its pages) part by part of what the user sees (CaseQuerySet.visible_parts)."""
    now = now or timezone.now()
    cases = _narrowed(visible_cases(user, operation), user, operation, filters, now)
    parts = [
        _narrowed(part.filter(operation=operation), user, operation, filters, now)
        for part in Case.objects.visible_parts(user)
    ]
    ordered = cases.select_related("programme", "office", "caseworker", "person", "household", "group").order_by(
        "-priority", F("state_due_at").asc(nulls_last=True), "opened_at", "id"
    )
    return cast("CaseQuerySet", ordered).counted_by(cast("list[CaseQuerySet]", parts))


def _open_parts(user: Any, operation: Operation) -> list[QuerySet[Case]]:
    """The open cases of the operation the user sees, in the parts of CaseQuerySet.visible_parts."""
    return [part.filter(operation=operation, closed_at__isnull=True) for part in Case.objects.visible_parts(user)]


def tab_counts(user: Any, operation: Operation, *, now: dt.datetime | None = None) -> dict[str, int]:
    """How many open cases each tab holds: a query per part of what the user sees (each an index's read)."""
    now = now or timezone.now()
    offices = my_offices(user, operation)
    totals = dict.fromkeys(TABS, 0)
    for part in _open_parts(user, operation):
        counts = part.aggregate(
            mine=Count("pk", filter=Q(caseworker_id=user.pk)),
            office=Count("pk") if offices is None else Count("pk", filter=Q(office_id__in=offices)),
            overdue=Count("pk", filter=_overdue(now)),
            state=Count("pk"),
        )
        for tab in TABS:
            totals[tab] += counts[tab] or 0
    return totals


def states_in_use(user: Any, operation: Operation) -> list[tuple[str, int]]:
    """The states open cases the user sees are in, with how many (for the "by state" tab)."""
    found: dict[str, int] = {}
    for part in _open_parts(user, operation):
        for row in part.values("state").annotate(n=Count("pk")).order_by("state"):
            found[row["state"]] = found.get(row["state"], 0) + row["n"]
    return sorted(found.items())


def _reaching(holders: QuerySet[Membership], *, case: Case | None, offices: list[uuid.UUID] | None) -> Any:
    """The memberships whose programme and office limits include the case (any of `offices`; all without either)."""
    if case is not None:
        holders = holders.filter(Q(programmes__isnull=True) | Q(programmes=case.programme_id))
        holders = holders.filter(Q(offices__isnull=True) | Q(offices=case.office_id))
    elif offices is not None:
        holders = holders.filter(Q(offices__isnull=True) | Q(offices__in=offices))
    return holders.values("user_id")


def caseworkers_for(
    operation: Operation, *, case: Case | None = None, offices: list[uuid.UUID] | None = None
) -> QuerySet[User]:
    """People who may be given cases in the operation (those whose role manages cases), for pickers: of this case
    (those its assignment accepts), or of one of `offices` — not every caseworker of a large operation."""
    holders = Membership.objects.active().filter(operation=operation, role__grants__permission="case.manage")
    return User.objects.filter(is_active=True, pk__in=_reaching(holders, case=case, offices=offices)).order_by(
        "first_name", "last_name"
    )


def colleagues_for(operation: Operation, *, case: Case | None = None) -> QuerySet[User]:
    """People who may be named on a case of the operation (those whose role sees cases); with `case`, those who
    see it (a task on it is for one of them)."""
    holders = Membership.objects.active().filter(operation=operation, role__grants__permission=VIEW)
    people = User.objects.filter(is_active=True, pk__in=holders.values("user_id"))
    if case is not None:
        named = Q(pk=case.caseworker_id) | Q(
            pk__in=CaseAccess.objects.filter(case=case, revoked_at__isnull=True).values("user_id")
        )
        if case.sensitivity == Sensitivity.NORMAL:
            named |= Q(pk__in=_reaching(holders, case=case, offices=None))
        people = people.filter(named)
    return people.order_by("first_name", "last_name")


# --- the board ----------------------------------------------------------------------------------------------


@dataclass
class Column:
    state: str
    label: str
    count: int
    cards: list[Case] = field(default_factory=list)
    final: bool = False


def board(user: Any, operation: Operation, programme: Any, states: Sequence[tuple[str, str, bool]]) -> list[Column]:
    """Open cases of one programme by state: a column per state of its workflow (code, label, final), with how
    many cases each holds and the most urgent BOARD_CARDS of them, in two queries whatever the number of states."""
    cases = visible_cases(user, operation).filter(programme=programme, closed_at__isnull=True)
    counts = dict(cases.values("state").annotate(n=Count("pk")).values_list("state", "n"))
    ranked = (
        cases.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("state")],
                order_by=[F("priority").desc(), F("state_due_at").asc(nulls_last=True), F("opened_at").asc()],
            )
        )
        .filter(rank__lte=BOARD_CARDS)
        .select_related("caseworker", "person", "household", "group")
        .order_by("state", "rank")
    )
    cards: dict[str, list[Case]] = {}
    for case in ranked:
        cards.setdefault(case.state, []).append(case)
    columns = [Column(code, label, counts.get(code, 0), cards.get(code, []), final) for code, label, final in states]
    known = {code for code, _label, _final in states}
    for code in sorted(set(counts) - known):  # a state of an older version of the workflow
        columns.append(Column(code, code, counts[code], cards.get(code, [])))
    return columns


# --- a case's page ------------------------------------------------------------------------------------------


@dataclass
class CasePage:
    tasks: list[Task]
    notes: list[CaseNote]
    documents: list[CaseDocument]
    access: list[CaseAccess]
    approvals: list[CaseApproval]


def case_page(user: Any, case: Case) -> CasePage:
    """Everything the case page lists, a query each."""
    return CasePage(
        tasks=list(case.tasks.select_related("assignee", "done_by")),
        notes=list(notes_for(user, case)),
        documents=list(case.documents.filter(removed_at__isnull=True).select_related("uploaded_by")),
        access=list(case.access_grants.filter(revoked_at__isnull=True).select_related("user", "granted_by")),
        approvals=list(
            case.approvals.filter(state=case.state, used_at__isnull=True).select_related("requested_by", "decided_by")
        ),
    )


def cases_of_subject(user: Any, subject: Any) -> QuerySet[Case]:
    """The cases about one person, household or group that the user may see."""
    relation = {"person": "person", "household": "household", "group": "group"}[subject._meta.model_name]
    return (
        Case.objects.visible_to(user)
        .filter(**{relation: subject})
        .select_related("programme", "caseworker")
        .order_by("closed_at", "-opened_at")
    )


# --- timeline -----------------------------------------------------------------------------------------------

# Audit actions the timeline shows from the case's own history of states instead (with from, to and why).
STATE_ACTIONS = ("case.open", "case.transition", "case.close", "case.reopen")


def timeline_keys(case: Case) -> QuerySet[Any]:
    """The case's timeline as (at, source, key) rows, newest first, ready to paginate: its audit events (every
    change to it, its tasks, notes, documents and access; reads left out) and its state changes. A page of keys
    is turned into entries by `timeline_entries`."""
    events = (
        AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk))
        .exclude(action__in=STATE_ACTIONS)
        .exclude(action__endswith=".read")
        .annotate(source=Value("event", output_field=CharField()), key=Cast("id", output_field=CharField()))
        .values("at", "source", "key")
        .order_by()
    )
    states = (
        CaseStateChange.objects.filter(case=case)
        .annotate(source=Value("state", output_field=CharField()), key=Cast("id", output_field=CharField()))
        .values("at", "source", "key")
        .order_by()
    )
    return events.union(states, all=True).order_by("-at", "-key")


@dataclass
class TimelineEntry:
    at: dt.datetime
    source: str  # event or state
    action: str
    actor: str
    note: str = ""
    summary: str = ""
    change: CaseStateChange | None = None


def timeline_entries(rows: Sequence[dict[str, Any]]) -> list[TimelineEntry]:
    """The entries of one page of timeline_keys, in at most three queries."""
    event_ids = [int(row["key"]) for row in rows if row["source"] == "event"]
    state_ids = [uuid.UUID(str(row["key"])) for row in rows if row["source"] == "state"]
    events = {str(event.id): event for event in AuditEvent.objects.filter(id__in=event_ids)} if event_ids else {}
    changes = (
        {change.pk: change for change in CaseStateChange.objects.filter(pk__in=state_ids).select_related("by")}
        if state_ids
        else {}
    )
    people = _people_named_in(events.values())
    entries = []
    for row in rows:
        if row["source"] == "event":
            event = events.get(str(row["key"]))
            if event is not None:
                entries.append(
                    TimelineEntry(
                        event.at, "event", event.action, event.actor_username, event.note, describe(event, people)
                    )
                )
        else:
            change = changes.get(uuid.UUID(str(row["key"])))
            if change is not None:
                actor = change.by.get_username() if change.by else ""
                entries.append(TimelineEntry(change.at, "state", change.kind, actor, change.reason, change=change))
    return entries


_PERSON_KEYS = ("caseworker", "named", "assignee", "escalated_to")


def _people_named_in(events: Any) -> dict[str, str]:
    """Names of the users the events refer to by id (a caseworker, a person named), in one query."""
    ids: set[str] = set()
    for event in events:
        for key in _PERSON_KEYS:
            for value in (event.changes or {}).get(key) or []:
                try:
                    ids.add(str(uuid.UUID(str(value))))
                except ValueError:
                    continue
    if not ids:
        return {}
    return {str(user.pk): str(user) for user in User.objects.filter(pk__in=ids)}


def describe(event: AuditEvent, people: dict[str, str]) -> str:
    """An audit event about a case in words."""
    from django.utils.translation import gettext as _

    changes = event.changes or {}

    def new(key: str) -> str:
        value = (changes.get(key) or [None, None])[1]
        return people.get(str(value), "" if value is None else str(value))

    def old(key: str) -> str:
        value = (changes.get(key) or [None, None])[0]
        return people.get(str(value), "" if value is None else str(value))

    texts = {
        "case.assign": lambda: (
            _("Caseworker changed from %(old)s to %(new)s")
            % {"old": old("caseworker") or "—", "new": new("caseworker")}
        ),
        "case.priority": lambda: (
            _("Priority changed from %(old)s to %(new)s")
            % {"old": _label(Priority, old("priority")), "new": _label(Priority, new("priority"))}
        ),
        "case.sensitivity": lambda: (
            _("Sensitivity changed from %(old)s to %(new)s")
            % {"old": _label(Sensitivity, old("sensitivity")), "new": _label(Sensitivity, new("sensitivity"))}
        ),
        "case.details": lambda: (
            _("Programme details changed: %(fields)s")
            % {"fields": ", ".join(name.replace("_", " ") for name in changes if name != "version")}
        ),
        "case.access_granted": lambda: _("%(name)s named on the case") % {"name": new("named")},
        "case.access_revoked": lambda: _("%(name)s no longer named on the case") % {"name": old("named")},
        "case.approval_requested": lambda: _("Approval asked for: %(step)s") % {"step": new("approval")},
        "case.approval_decided": lambda: (
            _("Approval of %(step)s: %(decision)s") % {"step": old("approval"), "decision": new("approval")}
        ),
        "case.task_added": lambda: _("Task added: %(title)s") % {"title": new("task")},
        "case.task_done": lambda: _("Task done: %(title)s") % {"title": old("task")},
        "case.tasks_created": lambda: (
            _("Tasks from the workflow: %(titles)s")
            % {"titles": "; ".join((changes.get("tasks") or [None, []])[1] or [])}
        ),
        "case.tasks_closed": lambda: _("Open tasks closed"),
        "case.note_added": lambda: _("Private note added") if new("note") == "private" else _("Note added"),
        "case.document_added": lambda: _("Document added (%(kind)s)") % {"kind": new("document")},
        "case.document_removed": lambda: _("Document removed (%(kind)s)") % {"kind": old("document")},
        "case.escalated": lambda: _("Overdue in its state: escalated to %(to)s") % {"to": new("escalated_to")},
        "case.task_escalated": lambda: _("Task overdue, escalated: %(title)s") % {"title": old("task")},
        # Forms and assessments (assessment_actions, form_imports, vulnerability_actions, reintegration_actions)
        "submission.complete": lambda: _("Form submitted: %(form)s") % {"form": new("form")},
        "submission.draft": lambda: _("Form saved as a draft: %(form)s") % {"form": new("form")},
        "submission.import": lambda: _("Form imported from KoboToolbox or ODK: %(form)s") % {"form": new("form")},
        "submission.discard": lambda: _("Draft thrown away: %(form)s") % {"form": old("form")},
        "vulnerability.assess": lambda: (
            _("Vulnerability factors assessed (net score %(score)s)") % {"score": new("score")}
        ),
        "vulnerability.determine": lambda: _("Vulnerability determined: %(band)s") % {"band": new("band")},
        "vulnerability.review": lambda: (
            _("Vulnerability determination reviewed: %(decision)s") % {"decision": new("determination")}
        ),
        "rss.score": lambda: (
            _("Reintegration sustainability scored: composite %(score)s") % {"score": new("composite")}
        ),
    }
    text = texts.get(event.action)
    return text() if text else event.action


def _label(choices: Any, value: str) -> str:
    for choice_value, label in choices.choices:
        if str(choice_value) == value:
            return str(label)
    return value


def priorities() -> list[tuple[int, str]]:
    return [(value, str(label)) for value, label in Priority.choices]


def sensitivities() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Sensitivity.choices]
