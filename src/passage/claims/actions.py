"""What happens to a claim: filing (which opens its case), the violations claimed, evidence, the completeness
check, deficiency notices, withdrawal. The violation registry's actions are in violation_actions.

Every change here is an action: keyword-only arguments, the acting user (None when the system acts), one
transaction, an audit event about the claim. A person, category, event, document or list entry of another
operation — or of another claim — is refused with a ValidationError naming the field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.cases import actions as case_actions
from passage.cases.models import CaseDocument, ClosureReason, Sensitivity
from passage.claims.access import MANAGE, may_manage
from passage.claims.completeness import Completeness, completeness
from passage.claims.models import (
    Capacity,
    Claim,
    ClaimedViolation,
    ClaimsProgramme,
    DeficiencyNotice,
    DuplicateFlag,
    Evidence,
    EvidenceRequirement,
    FlagKind,
    ShareRule,
    VerificationEntry,
    ViolationCategory,
    ViolationEvent,
)
from passage.core import audit
from passage.core.access import can
from passage.core.models import Office, Programme, ProgrammeType, User
from passage.registry.models import AdminArea, Person, PersonStatus

# --- helpers ------------------------------------------------------------------------------------------------


def _require(user: User | None, claim: Claim) -> None:
    if user is not None and not may_manage(user, claim):
        raise PermissionDenied(MANAGE)


def _locked(claim: Claim) -> Claim:
    return Claim.objects.select_for_update(of=("self",)).select_related("case", "programme").get(pk=claim.pk)


def _refuse_withdrawn(claim: Claim) -> None:
    if claim.withdrawn_at is not None:
        raise ValidationError(_("This claim was withdrawn."))


def _bump(claim: Claim) -> None:
    claim.version += 1
    claim.save(update_fields=["version"])


def _check_period(start: dt.date | None, end: dt.date | None, field: str = "occurred_to") -> None:
    if start and end and end < start:
        raise ValidationError({field: _("The last day comes before the first.")})


def claims_settings(programme: Programme) -> ClaimsProgramme | None:
    return ClaimsProgramme.objects.filter(programme=programme).first()


# --- programme settings -------------------------------------------------------------------------------------


@transaction.atomic
def configure_programme(
    *,
    programme: Programme,
    acting_user: User | None,
    filing_deadline: dt.date | None = None,
    share_rule: str = ShareRule.EQUAL,
    deficiency_days: int = 60,
) -> ClaimsProgramme:
    """Set a reparations programme's filing deadline, heirs' share rule and deficiency period."""
    if acting_user is not None and not can(acting_user, MANAGE, programme):
        raise PermissionDenied(MANAGE)
    if programme.type != ProgrammeType.REPARATIONS:
        raise ValidationError({"programme": _("Claims are filed in a reparations programme.")})
    if share_rule not in ShareRule.values:
        raise ValidationError({"share_rule": _("Unknown share rule.")})
    if not 1 <= deficiency_days <= 365:
        raise ValidationError({"deficiency_days": _("Give between 1 and 365 days.")})
    settings, created = ClaimsProgramme.objects.select_for_update().get_or_create(
        programme=programme, defaults={"operation_id": programme.operation_id}
    )
    before = audit.snapshot(settings, ("filing_deadline", "share_rule", "deficiency_days"))
    if created:
        before = dict.fromkeys(before)
    settings.filing_deadline, settings.share_rule = filing_deadline, share_rule
    settings.deficiency_days = deficiency_days
    settings.save()
    after = audit.snapshot(settings, ("filing_deadline", "share_rule", "deficiency_days"))
    audit.record(acting_user, "claims.programme_configured", programme, changes=audit.diff(before, after))
    return settings


# --- filing -------------------------------------------------------------------------------------------------


def _share(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        share = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({"stated_share": _("Write the share as a number, e.g. 0.25.")}) from None
    if not Decimal(0) < share <= Decimal(1):
        raise ValidationError({"stated_share": _("A share is more than 0 and at most 1.")})
    return share


@transaction.atomic
def file_claim(
    *,
    acting_user: User | None,
    programme: Programme,
    office: Office,
    claimant: Person,
    capacity: str = Capacity.VICTIM,
    victim: Person | None = None,
    victim_died_on: dt.date | None = None,
    relationship: str = "",
    stated_share: Any = None,
    received_on: dt.date | None = None,
    sensitivity: str = Sensitivity.NORMAL,
    caseworker: User | None = None,
    note: str = "",
) -> Claim:
    """Take in a claim: open its case on the reparation claims workflow (which gives it its number, stage,
    deadlines and first task) and record who claims, in what capacity, for which victim. Refused when received
    after the programme's filing deadline. Possible duplicates are flagged, not refused."""
    if acting_user is not None and not can(acting_user, MANAGE, programme):
        raise PermissionDenied(MANAGE)
    received_on = received_on or timezone.localdate()
    relationship = (relationship or "").strip()[:100]
    errors: dict[str, str] = {}
    if programme.type != ProgrammeType.REPARATIONS:
        errors["programme"] = _("Claims are filed in a reparations programme.")
    if capacity not in Capacity.values:
        errors["capacity"] = _("Say whether the claimant is the victim, an heir or a representative.")
    if claimant.operation_id != programme.operation_id:
        errors["claimant"] = _("This person belongs to another operation.")
    if capacity == Capacity.VICTIM:
        if victim is not None and victim.pk != claimant.pk:
            errors["victim"] = _("A victim claims for themselves: name an heir or a representative otherwise.")
        victim = claimant
    else:
        if victim is None:
            errors["victim"] = _("Name the victim on whose behalf the claim is made.")
        elif victim.pk == claimant.pk:
            errors["victim"] = _("An heir or a representative claims for someone else.")
        elif victim.operation_id != programme.operation_id:
            errors["victim"] = _("This person belongs to another operation.")
        if not relationship:
            errors["relationship"] = _("Say how the claimant is related to the victim.")
    if received_on > timezone.localdate():
        errors["received_on"] = _("A claim cannot be received in the future.")
    settings = claims_settings(programme)
    if settings is not None and settings.filing_deadline and received_on > settings.filing_deadline:
        errors["received_on"] = _(
            "The filing deadline of this programme was %(deadline)s; this claim was received on %(received)s."
        ) % {"deadline": settings.filing_deadline.isoformat(), "received": received_on.isoformat()}
    share = None
    try:
        share = _share(stated_share)
    except ValidationError as bad:
        errors.update({key: value[0] for key, value in bad.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if victim is None:  # the checks above refuse it
        raise ValidationError({"victim": _("Name the victim.")})
    if capacity == Capacity.HEIR:
        status, status_on = Person.objects.filter(pk=victim.pk).values_list("status", "status_on").get()
        if victim_died_on is None and status == PersonStatus.DECEASED:
            victim_died_on = status_on
        if victim_died_on is None:
            raise ValidationError(
                {"victim_died_on": _("An heir claims for a victim who died: give the date of death.")}
            )
        rule = settings.share_rule if settings is not None else ShareRule.EQUAL
        if rule == ShareRule.STATED:
            if share is None:
                raise ValidationError({"stated_share": _("This programme needs each heir's share.")})
            others = (
                Claim.objects.current()
                .filter(programme=programme, victim=victim, capacity=Capacity.HEIR)
                .select_for_update()
                .values_list("stated_share", flat=True)
            )
            total = sum((value or Decimal(0) for value in others), share)
            if total > Decimal(1):
                raise ValidationError(
                    {
                        "stated_share": _("With this share the heirs' shares would add up to %(total)s, more than 1.")
                        % {"total": f"{total.normalize()}"}
                    }
                )
        elif share is not None:
            raise ValidationError({"stated_share": _("In this programme heirs share equally: give no share.")})
    elif share is not None:
        raise ValidationError({"stated_share": _("Only heirs have a share.")})
    if acting_user is not None and not Person.objects.visible_to(acting_user).filter(pk=victim.pk).exists():
        raise PermissionDenied("person.view")
    case = case_actions.open_case(
        acting_user=acting_user,
        programme=programme,
        office=office,
        person=claimant,
        caseworker=caseworker,
        sensitivity=sensitivity,
        note=note,
    )
    now = timezone.now()
    claim = Claim.objects.create(
        operation_id=programme.operation_id,
        programme=programme,
        case=case,
        reference=case.reference,
        claimant=claimant,
        capacity=capacity,
        victim=victim,
        victim_died_on=victim_died_on if capacity != Capacity.VICTIM else None,
        relationship=relationship if capacity != Capacity.VICTIM else "",
        stated_share=share,
        received_on=received_on,
        filed_at=now,
        filed_by=acting_user,
    )
    audit.record(
        acting_user,
        "claim.file",
        claim,
        changes={
            "case": [None, case.reference],
            "claimant": [None, claimant.reference],
            "capacity": [None, capacity],
            "victim": [None, victim.reference],
            "received_on": [None, received_on.isoformat()],
            "stated_share": [None, str(share) if share is not None else None],
        },
        note=note.strip(),
    )
    _flag_same_victim(claim, now)
    return claim


@transaction.atomic
def record_relationship_proof(*, claim: Claim, document: CaseDocument, acting_user: User | None) -> Claim:
    """The document of the claim's case that proves the claimant's relationship to the victim."""
    _require(acting_user, claim)
    current = _locked(claim)
    _refuse_withdrawn(current)
    if current.capacity == Capacity.VICTIM:
        raise ValidationError({"relationship_proof": _("The victim claims for themselves: no relationship to prove.")})
    if document.case_id != current.case_id or document.removed_at is not None:
        raise ValidationError({"relationship_proof": _("Choose a document of this claim's case.")})
    before = str(current.relationship_proof_id) if current.relationship_proof_id else None
    current.relationship_proof = document
    current.version += 1
    current.save(update_fields=["relationship_proof", "version"])
    audit.record(acting_user, "claim.relationship_proof", current, changes={"document": [before, str(document.pk)]})
    return current


# --- claimed violations -------------------------------------------------------------------------------------


@transaction.atomic
def add_claimed_violation(
    *,
    claim: Claim,
    category: ViolationCategory,
    acting_user: User | None,
    event: ViolationEvent | None = None,
    occurred_from: dt.date | None = None,
    occurred_to: dt.date | None = None,
    place: AdminArea | None = None,
    narrative: str = "",
) -> ClaimedViolation:
    """A violation the claim is about: its category (of the claim's operation), the recognised event if known,
    when and where. A second claim by the same claimant for the category is flagged."""
    _require(acting_user, claim)
    current = _locked(claim)
    _refuse_withdrawn(current)
    if category.operation_id != current.operation_id:
        raise ValidationError({"category": _("This category of violation belongs to another operation.")})
    if event is not None:
        if event.operation_id != current.operation_id:
            raise ValidationError({"event": _("This event belongs to another operation.")})
        if event.category_id != category.pk:
            raise ValidationError({"event": _("This event is of another category of violation.")})
        occurred_from = occurred_from or event.occurred_from
        occurred_to = occurred_to or event.occurred_to
        place = place or event.place
    _check_period(occurred_from, occurred_to)
    now = timezone.now()
    violation = ClaimedViolation.objects.create(
        claim=current,
        category=category,
        event=event,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
        place=place,
        narrative=(narrative or "").strip(),
        added_at=now,
        added_by=acting_user,
    )
    _bump(current)
    audit.record(
        acting_user,
        "claim.violation_added",
        current,
        changes={"violation": [None, str(violation.pk)], "category": [None, category.code]},
    )
    _flag_same_claimant(current, category, now)
    return violation


@transaction.atomic
def remove_claimed_violation(*, violation: ClaimedViolation, acting_user: User | None, reason: str) -> None:
    """Take a violation off the claim, with its evidence (the documents stay on the case)."""
    claim = violation.claim
    _require(acting_user, claim)
    current = _locked(claim)
    _refuse_withdrawn(current)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why.")})
    code = violation.category.code
    pk = str(violation.pk)
    violation.delete()
    _bump(current)
    audit.record(
        acting_user,
        "claim.violation_removed",
        current,
        changes={"violation": [pk, None], "category": [code, None]},
        note=reason,
    )


# --- evidence -----------------------------------------------------------------------------------------------


@transaction.atomic
def attach_evidence(
    *,
    violation: ClaimedViolation,
    requirement: EvidenceRequirement,
    acting_user: User | None,
    document: CaseDocument | None = None,
    source_entry: VerificationEntry | None = None,
    note: str = "",
) -> Evidence:
    """Evidence for a claimed violation meeting one line of its category's checklist: a document of the claim's
    case of the kind the line asks for, or an entry of a verification source of the operation."""
    claim = violation.claim
    _require(acting_user, claim)
    current = _locked(claim)
    _refuse_withdrawn(current)
    if requirement.category_id != violation.category_id:
        raise ValidationError({"requirement": _("This is not on the checklist of the violation's category.")})
    if (document is None) == (source_entry is None):
        raise ValidationError({"document": _("Give either a document or a verification list entry.")})
    if document is not None:
        if document.case_id != current.case_id or document.removed_at is not None:
            raise ValidationError({"document": _("Choose a document of this claim's case.")})
        if not requirement.document_kind:
            raise ValidationError(
                {
                    "document": _("%(label)s is met by a verification list entry, not a document.")
                    % {"label": requirement.label}
                }
            )
        if document.kind != requirement.document_kind:
            raise ValidationError(
                {
                    "document": _("%(label)s needs a document of the kind %(kind)s.")
                    % {"label": requirement.label, "kind": requirement.document_kind}
                }
            )
    if source_entry is not None:
        if not requirement.source_match:
            raise ValidationError({"source_entry": _("%(label)s needs a document.") % {"label": requirement.label}})
        if source_entry.source.operation_id != current.operation_id:
            raise ValidationError({"source_entry": _("This verification list belongs to another operation.")})
        if source_entry.category_id and source_entry.category_id != violation.category_id:
            raise ValidationError({"source_entry": _("This entry lists another category of violation.")})
    evidence = Evidence.objects.create(
        violation=violation,
        requirement=requirement,
        document=document,
        source_entry=source_entry,
        note=(note or "").strip(),
        attached_at=timezone.now(),
        attached_by=acting_user,
    )
    _bump(current)
    audit.record(
        acting_user,
        "claim.evidence_attached",
        current,
        changes={
            "violation": [None, str(violation.pk)],
            "evidence": [None, requirement.code],
            "by": [None, "document" if document is not None else "verification list"],
        },
    )
    return evidence


# --- completeness and deficiency ----------------------------------------------------------------------------


@transaction.atomic
def check_completeness(*, claim: Claim, acting_user: User | None) -> Completeness:
    """Check the claim against its categories' checklists (and an heir's proofs and shares); the check and what
    it found missing are recorded."""
    _require(acting_user, claim)
    found = completeness(claim)
    audit.record(
        acting_user,
        "claim.completeness_checked",
        claim,
        changes={"complete": [None, found.complete], "missing": [None, [m.code for m in found.missing]]},
    )
    return found


@transaction.atomic
def issue_deficiency_notice(
    *, claim: Claim, acting_user: User | None, deadline: dt.date | None = None, note: str = ""
) -> DeficiencyNotice:
    """Record that the claimant is told what is missing and by when to send it (by default the programme's
    deficiency period from today). Refused when nothing is missing."""
    _require(acting_user, claim)
    current = _locked(claim)
    _refuse_withdrawn(current)
    found = completeness(current)
    if found.complete:
        raise ValidationError(_("Nothing is missing from this claim: there is no deficiency to notify."))
    today = timezone.localdate()
    if deadline is None:
        settings = claims_settings(current.programme)
        deadline = today + dt.timedelta(days=settings.deficiency_days if settings else 60)
    if deadline <= today:
        raise ValidationError({"deadline": _("The deadline must be after today.")})
    notice = DeficiencyNotice.objects.create(
        claim=current,
        missing=[item.as_dict() for item in found.missing],
        note=(note or "").strip(),
        deadline=deadline,
        issued_at=timezone.now(),
        issued_by=acting_user,
    )
    _bump(current)
    audit.record(
        acting_user,
        "claim.deficiency_notice",
        current,
        changes={"deadline": [None, deadline.isoformat()], "missing": [None, [m.code for m in found.missing]]},
        note=notice.note,
    )
    return notice


# --- withdrawal ---------------------------------------------------------------------------------------------


@transaction.atomic
def withdraw_claim(*, claim: Claim, acting_user: User | None, reason: str) -> Claim:
    """The claimant withdraws: the claim is marked withdrawn and its case closed (reason: withdrew); its
    duplicate flags stay for the record."""
    _require(acting_user, claim)
    current = _locked(claim)
    _refuse_withdrawn(current)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the claim is withdrawn.")})
    if current.case.closed_at is None:
        case_actions.close_case(case=current.case, acting_user=acting_user, reason=ClosureReason.WITHDREW, note=reason)
    current.withdrawn_at, current.withdrawn_by, current.withdrawal_reason = timezone.now(), acting_user, reason
    current.version += 1
    current.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "version"])
    audit.record(acting_user, "claim.withdraw", current, changes={"withdrawn": [False, True]}, note=reason)
    return current


# --- duplicate flags ----------------------------------------------------------------------------------------


def _flag(claim: Claim, others: list[Claim], kind: str, category: ViolationCategory | None, at: dt.datetime) -> int:
    """Flag the pair both ways (each claim's page shows the other), once."""
    made = 0
    for other in others:
        for one, two in ((claim, other), (other, claim)):
            exists = DuplicateFlag.objects.filter(claim=one, other=two, kind=kind, category=category).exists()
            if not exists:
                DuplicateFlag.objects.create(claim=one, other=two, kind=kind, category=category, flagged_at=at)
                made += 1
    if made:
        audit.record(
            None,
            "claim.flagged_duplicate",
            claim,
            changes={"kind": [None, kind], "others": [None, [other.reference for other in others]]},
            actor_username="system",
        )
    return made


def _flag_same_victim(claim: Claim, at: dt.datetime) -> None:
    """Another current claim about the same victim, unless both are heirs' (heirs each claim their share)."""
    others = Claim.objects.current().filter(operation_id=claim.operation_id, victim_id=claim.victim_id)
    others = others.exclude(pk=claim.pk)
    if claim.capacity == Capacity.HEIR:
        others = others.exclude(capacity=Capacity.HEIR)
    found = list(others.order_by("filed_at")[:50])
    if found:
        _flag(claim, found, FlagKind.SAME_VICTIM, None, at)


def _flag_same_claimant(claim: Claim, category: ViolationCategory, at: dt.datetime) -> None:
    """Another current claim by the same claimant that claims the same category."""
    others = (
        Claim.objects.current()
        .filter(operation_id=claim.operation_id, claimant_id=claim.claimant_id, violations__category=category)
        .exclude(pk=claim.pk)
        .distinct()
    )
    found = list(others.order_by("filed_at")[:50])
    if found:
        _flag(claim, found, FlagKind.SAME_CLAIMANT_CATEGORY, category, at)
