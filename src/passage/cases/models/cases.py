"""A case: a person, a household or a community enrolled in a programme, moving through the programme's
workflow. Who sees it is decided here, once (CaseQuerySet.visible_to), for every list, search, count and export.

Sensitivity. A normal case is seen by staff holding case.view in its operation whose membership's programme
and office limits include the case's programme and office. A restricted or highly restricted case is seen
only by its named staff: its caseworker (always) and the people granted access to it by name (CaseAccess),
while they hold case.view somewhere in the operation. Nobody else learns that it exists: it is in no list, no
count, no search, and its page is a 404 — administrators and platform superusers included (decision 0019). A
highly restricted case differs in who may name staff: only its caseworker, never a colleague already named.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passage.core import access
from passage.core.fields import EncryptedTextField
from passage.core.models import Office, Operation, Programme, ProgrammeType
from passage.registry.models import Group, Household, Person

if TYPE_CHECKING:
    from passage.core.models import User


class Priority(models.IntegerChoices):
    """Stored as numbers so that lists sort by urgency in the database."""

    LOW = 10, _("Low")
    NORMAL = 20, _("Normal")
    HIGH = 30, _("High")
    URGENT = 40, _("Urgent")


class Sensitivity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    RESTRICTED = "restricted", _("Restricted")
    HIGHLY_RESTRICTED = "highly_restricted", _("Highly restricted")


class ClosureReason(models.TextChoices):
    COMPLETED = "completed", _("Objectives met")
    WITHDREW = "withdrew", _("The person withdrew")
    DECEASED = "deceased", _("The person died")
    MOVED = "moved", _("Moved out of the area")
    LOST_CONTACT = "lost_contact", _("Contact lost")
    TRANSFERRED = "transferred", _("Transferred to another organisation")
    INELIGIBLE = "ineligible", _("Not eligible")
    DUPLICATE = "duplicate", _("Opened twice")
    OTHER = "other", _("Other")


# The first part of a case number, by programme type: PDA-2026-000123.
REFERENCE_PREFIX: dict[str, str] = {
    ProgrammeType.REPARATIONS: "REP",
    ProgrammeType.PROTECTION: "PDA",
    ProgrammeType.COUNTER_TRAFFICKING: "CT",
    ProgrammeType.RETURN_REINTEGRATION: "AVRR",
    ProgrammeType.RESETTLEMENT: "RST",
    ProgrammeType.IDP_RELIEF: "IDP",
    ProgrammeType.COMMUNITY_STABILISATION: "CSP",
    ProgrammeType.FORMER_COMBATANTS: "DDR",
    ProgrammeType.OUT_OF_COUNTRY_VOTING: "OCV",
    ProgrammeType.MEDICAL_EVACUATION: "MED",
    ProgrammeType.LABOUR_MIGRATION: "LMM",
}


def case_scope(user: Any, permission: str = "case.view") -> tuple[models.Q | None, set[uuid.UUID]]:
    """Where the user's memberships reach for `permission`: a filter on operation, programme and office (None:
    nowhere), and the operations where they hold it at all. Read from the grants cached for the request, so a
    list costs no extra query and the filter is plain IN lists the indexes serve."""
    scope: models.Q | None = None
    operations: set[uuid.UUID] = set()
    for operation_id, found in access.grants_by_operation(user).items():
        for grant in found:
            if permission not in grant.permissions:
                continue
            operations.add(operation_id)
            reach = models.Q(operation_id=operation_id)
            if grant.programme_ids is not None:
                reach &= models.Q(programme_id__in=sorted(grant.programme_ids))
            if grant.office_ids is not None:
                reach &= models.Q(office_id__in=sorted(grant.office_ids))
            scope = reach if scope is None else scope | reach
    return scope, operations


class CaseQuerySet(models.QuerySet["Case"]):
    def _ways_seen(self, user: User | Any) -> tuple[models.Q, models.Q] | None:
        """The two ways a user sees a case (see the module's docstring): a normal case within their reach, and a
        case they are named on in an operation where they hold case.view. None: they see no case."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        # One list of ids (a UNION) rather than an OR of two conditions: the database reads it by its indexes.
        granted = CaseAccess.objects.filter(user_id=user.pk, revoked_at__isnull=True).values("case_id").order_by()
        own = Case.objects.filter(caseworker_id=user.pk).values("id").order_by()
        named = models.Q(pk__in=granted.union(own, all=True))
        if user.is_superuser:
            return models.Q(sensitivity=Sensitivity.NORMAL), named
        scope, operations = case_scope(user)
        if scope is None:
            return None
        return models.Q(sensitivity=Sensitivity.NORMAL) & scope, named & models.Q(operation_id__in=sorted(operations))

    def visible_to(self, user: User | Any) -> CaseQuerySet:
        """The one rule of who sees a case (see the module's docstring)."""
        ways = self._ways_seen(user)
        if ways is None:
            return self.none()
        reach, named = ways
        return self.filter(reach | named)

    def visible_parts(self, user: User | Any) -> list[CaseQuerySet]:
        """visible_to(user) as two parts that do not overlap: the normal cases within the user's reach, and the
        cases they see by name besides. A count summed part by part reads the open cases' index alone for the
        first (the OR of the whole rule makes PostgreSQL read every row of the table)."""
        ways = self._ways_seen(user)
        if ways is None:
            return []
        reach, named = ways
        return [self.filter(reach), self.filter(named).exclude(reach)]

    def counted_by(self, parts: list[CaseQuerySet]) -> CaseQuerySet:
        """This queryset, whose count() is the sum of the counts of `parts`: queries that do not overlap and
        together hold the same cases (its filters applied to each of visible_parts), e.g. for a paginator."""
        counted = self.all()
        counted._count_parts = parts  # type: ignore[attr-defined]
        return counted

    def count(self) -> int:
        parts: list[CaseQuerySet] | None = getattr(self, "_count_parts", None)
        if parts is None or self._result_cache is not None:
            return super().count()
        return sum(part.count() for part in parts)

    def open(self) -> CaseQuerySet:
        return self.filter(closed_at__isnull=True)


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="cases")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cases")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(_("case number"), max_length=32)

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")

    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    workflow_code = models.CharField(_("workflow"), max_length=64)
    workflow_version = models.PositiveIntegerField(_("workflow version"))
    state = models.CharField(_("state"), max_length=64)
    state_entered_at = models.DateTimeField(_("in this state since"))
    state_due_at = models.DateTimeField(_("due to leave this state by"), null=True, blank=True)
    state_escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    sensitivity = models.CharField(
        _("sensitivity"), max_length=20, choices=Sensitivity.choices, default=Sensitivity.NORMAL
    )
    opened_at = models.DateTimeField(_("opened"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closure_reason = models.CharField(_("reason for closing"), max_length=20, choices=ClosureReason.choices, blank=True)
    closure_note = models.TextField(_("note on the closure"), blank=True)
    # The programme's own fields of the case that its workflow names (trafficking status, departure date…), as
    # JSON, encrypted at rest: a workflow may require them set before a step (`requires.fields`).
    details = EncryptedTextField(_("programme details"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "id"]
        verbose_name = _("case")
        constraints = [
            models.UniqueConstraint(fields=["operation", "reference"], name="case_reference_unique_in_operation"),
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, household__isnull=True, group__isnull=True)
                | models.Q(person__isnull=True, household__isnull=False, group__isnull=True)
                | models.Q(person__isnull=True, household__isnull=True, group__isnull=False),
                name="case_has_exactly_one_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | ~models.Q(closure_reason=""),
                name="closed_case_has_a_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["caseworker", "closed_at", "-priority"], name="case_by_caseworker"),
            models.Index(fields=["operation", "office", "closed_at", "-priority"], name="case_by_office"),
            models.Index(fields=["operation", "programme", "state"], name="case_by_state"),
            models.Index(
                fields=["state_due_at"],
                condition=models.Q(closed_at__isnull=True, state_due_at__isnull=False),
                name="open_case_by_due",
            ),
            # The caseload: open cases most urgent first (its order), of one office or of the whole operation, with
            # what its filters and counts read, so that a page is read in order and a count from the index alone.
            models.Index(
                fields=["operation", "office", "-priority", "state_due_at", "opened_at", "id"],
                include=["sensitivity", "caseworker", "state", "programme", "closed_at"],
                condition=models.Q(closed_at__isnull=True),
                name="open_case_by_office",
            ),
            models.Index(
                fields=["operation", "-priority", "state_due_at", "opened_at", "id"],
                include=["sensitivity", "caseworker", "state", "office", "programme", "closed_at"],
                condition=models.Q(closed_at__isnull=True),
                name="open_case_by_urgency",
            ),
        ]

    def __str__(self) -> str:
        return self.reference  # never a name: this is what the audit trail shows

    @property
    def subject(self) -> Person | Household | Group:
        subject = self.person or self.household or self.group
        if subject is None:  # the check constraint forbids it
            raise ValueError(f"case {self.reference} has no subject")
        return subject

    @property
    def subject_kind(self) -> str:
        return "person" if self.person_id else "household" if self.household_id else "group"

    @property
    def detail_values(self) -> dict[str, str]:
        return dict(json.loads(self.details)) if self.details else {}

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_restricted(self) -> bool:
        return self.sensitivity != Sensitivity.NORMAL


class CaseAccess(models.Model):
    """A person named to see a restricted case (or any case outside their offices and programmes): who named
    them, when, and why. Revoking ends the row; it is never deleted, so who could see the case stays known."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_access")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted"))
    reason = models.TextField(_("reason"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        ordering = ["granted_at", "id"]
        verbose_name = _("named access to a case")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"], condition=models.Q(revoked_at__isnull=True), name="one_current_access_per_user"
            ),
        ]
        indexes = [models.Index(fields=["user", "revoked_at"], name="case_access_by_user")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.case_id}"


class CaseCounter(models.Model):
    """The last case number given per operation, prefix and year: numbers follow each other with no gap and no
    repeat, whoever opens cases at the same moment (the row is locked while a number is taken)."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operation", "prefix", "year"], name="one_counter_per_prefix_and_year")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class StateChangeKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    TRANSITION = "transition", _("Moved on")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


class CaseStateChange(models.Model):
    """The case's own history of states: who moved it, when, from where to where, and why. The timeline reads
    it beside the audit trail; reports read how long cases stay in each state from it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="state_changes")
    kind = models.CharField(max_length=12, choices=StateChangeKind.choices)
    transition = models.CharField(max_length=64, blank=True)
    from_state = models.CharField(max_length=64, blank=True)
    to_state = models.CharField(max_length=64)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True)
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="state_change_by_case")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_state} -> {self.to_state}"
