"""What happens to referrals: sending one (consent checked, what is shared sealed, a link issued when the
provider has no account), the provider's answers, feedback, closing and cancelling, and the escalation of
overdue referrals. The directory of providers is kept by provider_actions.

Actions like the case's: keyword-only arguments, the acting user (None when the system acts, or when a provider
answers through a one-time link: `via_link` then names the link), one transaction, an audit event about the
referral. The reason, the shared values and the person's feedback never go into the audit trail; what was
shared is named by item and proven by the snapshot's keyed digest.

A referral moves sent → acknowledged → accepted or rejected → service delivered → closed (accepting or rejecting
a referral not yet acknowledged acknowledges it too); it may be cancelled while open and closed at any time with
a note. Feedback comes from the provider once the service is delivered, and from the person afterwards.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.cases import referral_links as links
from passage.cases import referral_sharing as sharing
from passage.cases.access import MANAGE, may
from passage.cases.models import Case, CaseCounter, Task, TaskSource
from passage.cases.models.referrals import (
    OPEN_STATES,
    Channel,
    Referral,
    ReferralLink,
    ReferralState,
    RejectionReason,
    Service,
    ServiceProvider,
    SharingScope,
    Urgency,
)
from passage.cases.referral_access import may_manage_referral, works_for
from passage.core import audit
from passage.core.access import can
from passage.core.models import User
from passage.registry.models import Person

log = logging.getLogger(__name__)

REFERENCE_PREFIX = "REF"
REASON_MAX = 5000
TEXT_MAX = 5000
BATCH = 200
# (to acknowledge within, to accept or reject within), by urgency.
DEADLINES: dict[str, tuple[dt.timedelta, dt.timedelta]] = {
    Urgency.ROUTINE: (dt.timedelta(days=3), dt.timedelta(days=7)),
    Urgency.PRIORITY: (dt.timedelta(days=1), dt.timedelta(days=3)),
    Urgency.EMERGENCY: (dt.timedelta(hours=4), dt.timedelta(days=1)),
}


# --- helpers ------------------------------------------------------------------------------------------------


def _locked(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case", "provider", "person", "case__caseworker")
        .get(pk=referral.pk)
    )


def _when(at: dt.datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


def _record(
    acting_user: User | None,
    action: str,
    referral: Referral,
    *,
    via_link: ReferralLink | None = None,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    """An audit event about the referral; an answer through a link is the provider's, named as such."""
    name = ""
    if acting_user is None:
        name = f"{referral.provider.name} (link)"[:150] if via_link is not None else "system"
    values = dict(changes or {})
    if via_link is not None:
        values["link"] = [None, str(via_link.pk)]
    audit.record(acting_user, action, referral, changes=values, note=note, actor_username=name)


def allocate_reference(*, operation_id: Any, on: dt.date | None = None) -> str:
    """The next referral number of the operation and year, e.g. REF-2026-000042 (the case numbers' counter, under
    its own prefix: no gap, no repeat, whoever sends at the same moment)."""
    year = (on or timezone.localdate()).year
    key = {"operation_id": operation_id, "prefix": REFERENCE_PREFIX, "year": year}
    if not CaseCounter.objects.filter(**key).exists():
        try:
            with transaction.atomic():
                CaseCounter.objects.create(**key, last=0)
        except IntegrityError:
            pass  # someone else created it meanwhile
    CaseCounter.objects.filter(**key).update(last=F("last") + 1)
    last = CaseCounter.objects.filter(**key).values_list("last", flat=True).get()
    return f"{REFERENCE_PREFIX}-{year}-{last:06d}"


def people_of(case: Case) -> list[Person]:
    """Who a referral of this case may be for: its person, or the current members of its household or group."""
    if case.person_id:
        return [case.subject]  # type: ignore[list-item]
    if case.household_id:
        return list(
            Person.objects.filter(
                household_memberships__household_id=case.household_id, household_memberships__left_on__isnull=True
            ).order_by("given_name_latin", "id")
        )
    return list(
        Person.objects.filter(group_memberships__group=case.group, group_memberships__left_on__isnull=True).order_by(
            "given_name_latin", "id"
        )
    )


# --- the scope of consent to sharing ------------------------------------------------------------------------


@transaction.atomic
def record_sharing_scope(*, person: Person, acting_user: User | None, items: list[str], note: str = "") -> SharingScope:
    """What the person agreed service providers may receive, under their current consent to sharing. Recorded by
    whoever records consent (person.register); replaces the scope recorded earlier for the same decision."""
    if acting_user is not None and not can(acting_user, "person.register", person):
        raise PermissionDenied("person.register")
    decision = sharing.sharing_decision(person)
    if decision is None or not decision.granted or decision.withdrawn_at is not None:
        raise ValidationError(
            _("Record the person's consent to sharing with partners first: a scope details a consent given.")
        )
    unknown = [code for code in items if code not in sharing.ITEMS]
    if unknown:
        raise ValidationError({"items": _("Unknown item: %(items)s.") % {"items": ", ".join(unknown)}})
    chosen = [code for code in sharing.ITEM_CODES if code in set(items)]
    if not chosen:
        raise ValidationError({"items": _("Choose what the person agreed to share, or record that they refused.")})
    before = sharing.consented(person)
    scope = SharingScope.objects.create(
        person=person,
        consent=decision,
        items=chosen,
        recorded_by=acting_user,
        recorded_at=timezone.now(),
        note=note.strip(),
    )
    audit.record(
        acting_user,
        "person.sharing_scope",
        person,
        changes={"sharing_scope": [before.items if before else None, chosen]},
        note=note.strip(),
    )
    return scope


# --- sending ------------------------------------------------------------------------------------------------


@dataclass
class Sent:
    """A referral just sent, and the link issued for it (its token shown once), if any."""

    referral: Referral
    link: ReferralLink | None = None
    token: str = ""
    emailed_to: list[str] = field(default_factory=list)


def deadlines(urgency: str, at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    acknowledge, respond = DEADLINES[urgency]
    return at + acknowledge, at + respond


@transaction.atomic
def send_referral(
    *,
    case: Case,
    person: Person,
    provider: ServiceProvider,
    service: str,
    reason: str,
    items: list[str],
    acting_user: User | None,
    urgency: str = Urgency.ROUTINE,
    email_link: bool = False,
    site_url: str = "",
) -> Sent:
    """Refer a person of the case to a provider for a service, sharing the items chosen — only among those the
    person agreed to share (sharing.SharingRefused when they gave no consent, refused or withdrew it). The
    values are sealed as they are now. A provider that receives referrals by link gets one: emailed to its
    contacts when asked (and email is set up), else shown once to the caseworker to pass on."""
    if acting_user is not None and not may(acting_user, MANAGE, case):
        raise PermissionDenied(MANAGE)
    case = Case.objects.select_for_update().get(pk=case.pk)
    provider = ServiceProvider.objects.get(pk=provider.pk)  # as it is now (taken out of the directory meanwhile?)
    if case.closed_at is not None:
        raise ValidationError(_("This case is closed: reopen it first."))
    errors: dict[str, str] = {}
    if person.pk not in {member.pk for member in people_of(case)}:
        errors["person"] = _("Refer someone this case is about.")
    if provider.operation_id != case.operation_id:
        errors["provider"] = _("This provider works in another operation.")
    elif not provider.is_active:
        errors["provider"] = _("%(name)s no longer takes referrals.") % {"name": provider.name}
    elif provider.channel == Channel.ACCOUNT and not provider.members.filter(removed_at__isnull=True).exists():
        errors["provider"] = _("Nobody at %(name)s has a Passage account yet: link a user to it first.") % {
            "name": provider.name
        }
    if service not in Service.values:
        errors["service"] = _("Choose a service.")
    elif "provider" not in errors and not provider.services.filter(service=service).exists():
        errors["service"] = _("%(name)s does not offer %(service)s.") % {
            "name": provider.name,
            "service": Service(service).label,
        }
    if urgency not in Urgency.values:
        errors["urgency"] = _("Unknown urgency.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why you refer the person and what you ask of the provider.")
    elif len(reason) > REASON_MAX:
        errors["reason"] = _("Keep the reason under %(n)s characters.") % {"n": REASON_MAX}
    if errors:
        raise ValidationError(errors)
    consent = sharing.require_consent(person)  # SharingRefused: nothing to send
    chosen = [code for code in sharing.ITEM_CODES if code in set(items)]
    unknown = sorted(set(items) - set(sharing.ITEM_CODES))
    not_consented = [code for code in chosen if code not in consent.items]
    not_allowed = [code for code in chosen if not sharing.may_share(acting_user, person, code)]
    if unknown or not chosen:
        raise ValidationError({"items": _("Choose what to share with the provider.")})
    if not_consented:
        raise ValidationError(
            {
                "items": _("%(ref)s did not agree to share: %(items)s.")
                % {"ref": person.reference, "items": ", ".join(str(sharing.ITEMS[c].label) for c in not_consented)}
            }
        )
    if not_allowed:
        raise ValidationError(
            {
                "items": _("You may not see, so may not share: %(items)s.")
                % {"items": ", ".join(str(sharing.ITEMS[c].label) for c in not_allowed)}
            }
        )
    now = timezone.now()
    snapshot = sharing.take_snapshot(person, chosen)
    acknowledge_by, respond_by = deadlines(urgency, now)
    referral = Referral.objects.create(
        operation_id=case.operation_id,
        reference=allocate_reference(operation_id=case.operation_id, on=timezone.localdate(now)),
        case=case,
        person=person,
        provider=provider,
        service=service,
        urgency=urgency,
        reason=reason,
        shared_items=chosen,
        consent=consent.consent,
        snapshot=sharing.seal(snapshot),
        snapshot_digest=sharing.digest(snapshot),
        sent_at=now,
        sent_by=acting_user,
        acknowledge_by=acknowledge_by,
        respond_by=respond_by,
    )
    _record(
        acting_user,
        "referral.sent",
        referral,
        changes={
            "case": [None, case.reference],
            "provider": [None, provider.name],
            "service": [None, service],
            "urgency": [None, urgency],
            "shared": [None, chosen],
            "consent": [None, str(consent.consent.pk)],
            "snapshot_digest": [None, referral.snapshot_digest],
        },
    )
    sent = Sent(referral)
    if provider.channel == Channel.LINK:
        issued = issue_link(referral=referral, acting_user=acting_user, email=email_link, site_url=site_url)
        sent.link, sent.token, sent.emailed_to = issued.link, issued.token, issued.emailed_to
    return sent


# --- links --------------------------------------------------------------------------------------------------


def email_possible() -> bool:
    """Whether Django's email backend is set up to deliver mail (not the default SMTP to this machine, nor the
    backend that drops it)."""
    backend = str(settings.EMAIL_BACKEND)
    if backend.endswith("dummy.EmailBackend"):
        return False
    if backend.endswith("smtp.EmailBackend"):
        return str(settings.EMAIL_HOST) not in ("", "localhost", "127.0.0.1", "::1")
    return True


def link_recipients(provider: ServiceProvider) -> list[str]:
    return [contact.email for contact in provider.contacts.filter(receives_referrals=True) if contact.email]


@dataclass
class Issued:
    link: ReferralLink
    token: str
    emailed_to: list[str] = field(default_factory=list)


@transaction.atomic
def issue_link(*, referral: Referral, acting_user: User | None, email: bool = False, site_url: str = "") -> Issued:
    """A new one-time link to the referral (the earlier ones are revoked). Its token is returned, to be shown once
    or emailed; only its hash is kept."""
    if acting_user is not None and not may_manage_referral(acting_user, referral):
        raise PermissionDenied(MANAGE)
    referral = _locked(referral)
    if referral.is_finished:
        raise ValidationError(_("This referral is %(state)s.") % {"state": referral.get_state_display().lower()})
    recipients: list[str] = []
    if email:
        recipients = link_recipients(referral.provider)
        if not email_possible():
            raise ValidationError({"email_link": _("Email is not set up on this server: pass the link on yourself.")})
        if not recipients:
            raise ValidationError(
                {
                    "email_link": _("No contact of %(name)s receives referral links by email.")
                    % {"name": referral.provider}
                }
            )
        if not site_url:
            raise ValidationError({"email_link": _("The site's address is not known: pass the link on yourself.")})
    now = timezone.now()
    earlier = list(referral.links.filter(revoked_at__isnull=True))
    for old in earlier:
        old.revoked_at, old.revoked_by, old.revoke_reason = now, acting_user, _("A new link was issued.")
        old.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    token, token_hash = links.new_secret()
    link = ReferralLink.objects.create(
        referral=referral,
        token_hash=token_hash,
        created_by=acting_user,
        created_at=now,
        expires_at=links.link_expires(now),
        emailed=bool(recipients),
    )
    _record(
        acting_user,
        "referral.link_issued",
        referral,
        changes={
            "link": [str(earlier[0].pk) if earlier else None, str(link.pk)],
            "expires_at": [None, link.expires_at.isoformat()],
            "emailed_to": [None, len(recipients)],
        },
    )
    if recipients:
        url = site_url.rstrip("/") + reverse("cases_referral_link", kwargs={"token": token})
        subject = _("A referral from %(org)s") % {"org": referral.case.office.name}
        body = _(
            "You have received a referral (%(ref)s) for %(service)s.\n\nOpen it here: %(url)s\n\n"
            "The link works once, within %(days)s days; once opened it stays usable for %(minutes)s minutes in the "
            "same browser. Do not forward this email."
        ) % {
            "ref": referral.reference,
            "service": referral.get_service_display(),
            "url": url,
            "days": links.LINK_DAYS,
            "minutes": links.SESSION_MINUTES,
        }
        transaction.on_commit(lambda: _send(subject, body, recipients))
    return Issued(link, token, recipients)


def _send(subject: str, body: str, recipients: list[str]) -> None:
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # the link stays valid and can be passed on by hand; the page says it was emailed
        log.exception("could not email a referral link")


@transaction.atomic
def revoke_link(*, link: ReferralLink, acting_user: User | None, reason: str = "") -> ReferralLink:
    referral = link.referral
    if acting_user is not None and not may_manage_referral(acting_user, referral):
        raise PermissionDenied(MANAGE)
    link = ReferralLink.objects.select_for_update(of=("self",)).select_related("referral__provider").get(pk=link.pk)
    if link.revoked_at is not None:
        raise ValidationError(_("This link was already revoked."))
    link.revoked_at, link.revoked_by, link.revoke_reason = timezone.now(), acting_user, reason.strip()
    link.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    _record(acting_user, "referral.link_revoked", link.referral, changes={"link": [str(link.pk), None]}, note=reason)
    return link


@transaction.atomic
def open_link(*, link: ReferralLink) -> str:
    """The provider opens a link: its token is used up and a session begins (referral_links explains the rule).
    Returns the session's secret, for the browser's cookie; ValidationError when it may not be opened."""
    link = ReferralLink.objects.select_for_update(of=("self",)).select_related("referral__provider").get(pk=link.pk)
    refusal = links.refusal_to_open(link)
    if refusal is not None:
        raise ValidationError(refusal.code)
    now = timezone.now()
    secret, secret_hash = links.new_secret()
    link.opened_at, link.session_hash, link.session_ends_at = now, secret_hash, links.session_ends(now)
    link.save(update_fields=["opened_at", "session_hash", "session_ends_at"])
    _record(
        None,
        "referral.link_opened",
        link.referral,
        via_link=link,
        changes={"session_ends_at": [None, link.session_ends_at.isoformat()]},
    )
    return secret


def record_link_view(link: ReferralLink, *, action: str = "referral.link_viewed", note: str = "") -> None:
    """A look at the link's page (or its landing): an audit event, and the link's count of views."""
    with transaction.atomic():
        ReferralLink.objects.filter(pk=link.pk).update(views=F("views") + 1)
        _record(None, action, link.referral, via_link=link, note=note)


def record_link_refusal(link: ReferralLink | None, code: str, *, operation_id: Any = None) -> None:
    """A link that did not open (unknown, expired, revoked, used, session over): audited too."""
    if link is None:
        audit.record(None, "referral.link_refused", None, actor_username="anonymous", note=code)
        return
    _record(None, "referral.link_refused", link.referral, via_link=link, note=code)


# --- the provider's answers ---------------------------------------------------------------------------------


def _responding(referral: Referral, acting_user: User | None, via_link: ReferralLink | None) -> Referral:
    """The referral, locked, after checking who answers: a link in its session, a provider's user, or whoever
    manages the case."""
    if via_link is not None:
        if acting_user is not None or via_link.referral_id != referral.pk:
            raise PermissionDenied("link")
        fresh = ReferralLink.objects.select_related("referral").get(pk=via_link.pk)
        if fresh.revoked_at is not None or fresh.session_ends_at is None or fresh.session_ends_at <= timezone.now():
            raise PermissionDenied("link")
    elif acting_user is not None and not (
        works_for(acting_user, referral.provider_id) or may_manage_referral(acting_user, referral)
    ):
        raise PermissionDenied("respond")
    return _locked(referral)


def _refuse_finished(referral: Referral) -> None:
    if referral.is_finished:
        raise ValidationError(_("This referral is %(state)s.") % {"state": referral.get_state_display().lower()})


@transaction.atomic
def acknowledge_referral(
    *, referral: Referral, acting_user: User | None, via_link: ReferralLink | None = None
) -> Referral:
    """The provider says it received the referral."""
    current = _responding(referral, acting_user, via_link)
    _refuse_finished(current)
    if current.state != ReferralState.SENT:
        raise ValidationError(
            _("This referral was already acknowledged on %(at)s.") % {"at": _when(current.acknowledged_at)}
        )
    current.state, current.acknowledged_at = ReferralState.ACKNOWLEDGED, timezone.now()
    _save(current, ["state", "acknowledged_at"])
    _record(
        acting_user, "referral.acknowledged", current, via_link=via_link, changes={"state": ["sent", "acknowledged"]}
    )
    return current


def _save(referral: Referral, fields: list[str]) -> None:
    referral.version += 1
    referral.save(update_fields=[*fields, "version", "updated_at"])


def _answerable(current: Referral) -> str:
    _refuse_finished(current)
    if current.state not in (ReferralState.SENT, ReferralState.ACKNOWLEDGED):
        raise ValidationError(
            _("This referral was already answered: it is %(state)s.") % {"state": current.get_state_display().lower()}
        )
    before = str(current.state)
    if current.acknowledged_at is None:
        current.acknowledged_at = timezone.now()
    return before


@transaction.atomic
def accept_referral(
    *, referral: Referral, acting_user: User | None, via_link: ReferralLink | None = None, note: str = ""
) -> Referral:
    """The provider will provide the service (acknowledging the referral too, if it had not)."""
    current = _responding(referral, acting_user, via_link)
    before = _answerable(current)
    current.state, current.accepted_at = ReferralState.ACCEPTED, timezone.now()
    _save(current, ["state", "acknowledged_at", "accepted_at"])
    _record(
        acting_user,
        "referral.accepted",
        current,
        via_link=via_link,
        changes={"state": [before, "accepted"]},
        note=note.strip()[:TEXT_MAX],
    )
    return current


@transaction.atomic
def reject_referral(
    *,
    referral: Referral,
    acting_user: User | None,
    reason: str,
    note: str = "",
    via_link: ReferralLink | None = None,
) -> Referral:
    """The provider will not provide the service, and says why (a note when the reason is "other")."""
    current = _responding(referral, acting_user, via_link)
    before = _answerable(current)
    note = note.strip()
    if reason not in RejectionReason.values:
        raise ValidationError({"reason": _("Choose why the referral is rejected.")})
    if reason == RejectionReason.OTHER and not note:
        raise ValidationError({"note": _("Say why the referral is rejected.")})
    if len(note) > TEXT_MAX:
        raise ValidationError({"note": _("Keep the note under %(n)s characters.") % {"n": TEXT_MAX}})
    current.state, current.rejected_at = ReferralState.REJECTED, timezone.now()
    current.rejection_reason, current.rejection_note = reason, note
    _save(current, ["state", "acknowledged_at", "rejected_at", "rejection_reason", "rejection_note"])
    _record(
        acting_user,
        "referral.rejected",
        current,
        via_link=via_link,
        changes={"state": [before, "rejected"], "rejection_reason": [None, reason]},
        note=note,
    )
    return current


@transaction.atomic
def record_delivery(
    *,
    referral: Referral,
    acting_user: User | None,
    delivered_on: dt.date,
    service: str,
    via_link: ReferralLink | None = None,
) -> Referral:
    """The provider delivered the service: when, and what."""
    current = _responding(referral, acting_user, via_link)
    _refuse_finished(current)
    if current.state != ReferralState.ACCEPTED:
        raise ValidationError(
            _("Only an accepted referral can have its service delivered; this one is %(state)s.")
            % {"state": current.get_state_display().lower()}
        )
    service = (service or "").strip()
    errors: dict[str, str] = {}
    if not service:
        errors["service"] = _("Say what was provided.")
    elif len(service) > TEXT_MAX:
        errors["service"] = _("Keep this under %(n)s characters.") % {"n": TEXT_MAX}
    if delivered_on is None:
        errors["delivered_on"] = _("Give the date the service was delivered.")
    elif delivered_on > timezone.localdate():
        errors["delivered_on"] = _("The date is in the future.")
    elif delivered_on < timezone.localdate(current.sent_at):
        errors["delivered_on"] = _("The date is before the referral was sent.")
    if errors:
        raise ValidationError(errors)
    current.state, current.delivered_on, current.delivered_service = ReferralState.DELIVERED, delivered_on, service
    _save(current, ["state", "delivered_on", "delivered_service"])
    _record(
        acting_user,
        "referral.delivered",
        current,
        via_link=via_link,
        changes={"state": ["accepted", "delivered"], "delivered_on": [None, delivered_on.isoformat()]},
    )
    return current


@transaction.atomic
def record_provider_feedback(
    *, referral: Referral, acting_user: User | None, feedback: str, via_link: ReferralLink | None = None
) -> Referral:
    """What the provider says of the referral and the service once delivered (a later word replaces it)."""
    current = _responding(referral, acting_user, via_link)
    _refuse_finished(current)
    if current.state != ReferralState.DELIVERED:
        raise ValidationError(_("Feedback comes once the service is delivered."))
    feedback = (feedback or "").strip()
    if not feedback:
        raise ValidationError({"feedback": _("Write the feedback.")})
    if len(feedback) > TEXT_MAX:
        raise ValidationError({"feedback": _("Keep this under %(n)s characters.") % {"n": TEXT_MAX}})
    had = bool(current.provider_feedback)
    current.provider_feedback, current.provider_feedback_at = feedback, timezone.now()
    _save(current, ["provider_feedback", "provider_feedback_at"])
    _record(
        acting_user,
        "referral.provider_feedback",
        current,
        via_link=via_link,
        changes={"provider_feedback": ["given" if had else None, "given"]},
    )
    return current


@transaction.atomic
def record_person_feedback(
    *, referral: Referral, acting_user: User | None, satisfaction: int, feedback: str = ""
) -> Referral:
    """What the person says of the service (satisfaction 1 to 5, and their words, encrypted), once delivered."""
    if acting_user is not None and not may_manage_referral(acting_user, referral):
        raise PermissionDenied(MANAGE)
    current = _locked(referral)
    _refuse_finished(current)
    if current.state != ReferralState.DELIVERED:
        raise ValidationError(_("The person's feedback comes once the service is delivered."))
    if satisfaction not in (1, 2, 3, 4, 5):
        raise ValidationError({"satisfaction": _("Choose from 1 (not at all satisfied) to 5 (very satisfied).")})
    feedback = (feedback or "").strip()
    if len(feedback) > TEXT_MAX:
        raise ValidationError({"feedback": _("Keep this under %(n)s characters.") % {"n": TEXT_MAX}})
    before = current.person_satisfaction
    current.person_satisfaction, current.person_feedback = satisfaction, feedback
    current.person_feedback_at = timezone.now()
    _save(current, ["person_satisfaction", "person_feedback", "person_feedback_at"])
    _record(acting_user, "referral.person_feedback", current, changes={"satisfaction": [before, satisfaction]})
    return current


# --- closing and cancelling ---------------------------------------------------------------------------------


def _end_links(referral: Referral, acting_user: User | None, reason: str) -> None:
    referral.links.filter(revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=acting_user, revoke_reason=reason
    )


@transaction.atomic
def close_referral(*, referral: Referral, acting_user: User | None, note: str = "") -> Referral:
    """Close the loop. A referral still waiting for the provider (sent, acknowledged, accepted) closes only with
    a note saying why; its links stop working."""
    if acting_user is not None and not may_manage_referral(acting_user, referral):
        raise PermissionDenied(MANAGE)
    current = _locked(referral)
    _refuse_finished(current)
    note = (note or "").strip()
    if current.state in OPEN_STATES and not note:
        raise ValidationError({"note": _("The provider has not finished with this referral: say why you close it.")})
    before = str(current.state)
    current.state, current.closed_at, current.closed_by, current.closure_note = (
        ReferralState.CLOSED,
        timezone.now(),
        acting_user,
        note,
    )
    _save(current, ["state", "closed_at", "closed_by", "closure_note"])
    _end_links(current, acting_user, _("The referral was closed."))
    _record(acting_user, "referral.closed", current, changes={"state": [before, "closed"]}, note=note)
    return current


@transaction.atomic
def cancel_referral(*, referral: Referral, acting_user: User | None, reason: str) -> Referral:
    """Withdraw a referral the provider has not delivered on (sent, acknowledged or accepted), with the reason;
    its links stop working."""
    if acting_user is not None and not may_manage_referral(acting_user, referral):
        raise PermissionDenied(MANAGE)
    current = _locked(referral)
    _refuse_finished(current)
    if current.state not in OPEN_STATES:
        raise ValidationError(
            _("This referral is %(state)s: close it instead.") % {"state": current.get_state_display().lower()}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the referral is cancelled.")})
    before = str(current.state)
    current.state, current.closed_at, current.closed_by, current.closure_note = (
        ReferralState.CANCELLED,
        timezone.now(),
        acting_user,
        reason,
    )
    _save(current, ["state", "closed_at", "closed_by", "closure_note"])
    _end_links(current, acting_user, _("The referral was cancelled."))
    _record(acting_user, "referral.cancelled", current, changes={"state": [before, "cancelled"]}, note=reason)
    return current


def close_open_referrals(*, case: Case, acting_user: User | None, note: str) -> int:
    """The workflow's close_referrals on entering a state: every referral of the case not yet closed is closed
    with `note`, inside the transition's transaction (whoever moves the case may manage its referrals). How many
    were closed."""
    closed = 0
    for referral in Referral.objects.filter(case=case).exclude(
        state__in=(ReferralState.CLOSED, ReferralState.CANCELLED)
    ):
        close_referral(referral=referral, acting_user=acting_user, note=note)
        closed += 1
    if closed:
        audit.record(
            acting_user,
            "case.referrals_closed",
            case,
            changes={"referrals": [closed, 0]},
            note=note,
            actor_username="" if acting_user else "system",
        )
    return closed


# --- escalation ---------------------------------------------------------------------------------------------


def escalate_overdue_referrals(*, now: dt.datetime | None = None, batch: int = BATCH) -> int:
    """Raise a task on the case for each referral not acknowledged, or not answered, by its date — once for
    each (the referral is marked), oldest first, `batch` at a time. Called by the cases' escalation job."""
    now = now or timezone.now()
    late = (
        Referral.objects.filter(case__closed_at__isnull=True)
        .filter(
            Q(state=ReferralState.SENT, acknowledge_by__lt=now, acknowledge_escalated_at__isnull=True)
            | Q(
                state__in=(ReferralState.SENT, ReferralState.ACKNOWLEDGED),
                respond_by__lt=now,
                respond_escalated_at__isnull=True,
            )
        )
        .order_by("acknowledge_by")
        .values_list("pk", flat=True)[:batch]
    )
    return sum(_escalate(referral_id, now) for referral_id in list(late))


@transaction.atomic
def _escalate(referral_id: Any, now: dt.datetime) -> int:
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case", "case__caseworker", "provider", "sent_by")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None or referral.state not in (ReferralState.SENT, ReferralState.ACKNOWLEDGED):
        return 0
    unanswered = referral.respond_by < now and referral.respond_escalated_at is None
    unacknowledged = (
        referral.state == ReferralState.SENT
        and referral.acknowledge_by < now
        and referral.acknowledge_escalated_at is None
    )
    if not (unanswered or unacknowledged):
        return 0  # answered or escalated meanwhile
    values = {"ref": referral.reference, "provider": referral.provider.name}
    if unanswered:
        title = _("Referral %(ref)s: %(provider)s has not accepted or rejected it in time") % values
        referral.respond_escalated_at = now
        if referral.state == ReferralState.SENT:
            referral.acknowledge_escalated_at = referral.acknowledge_escalated_at or now
    else:
        title = _("Referral %(ref)s: %(provider)s has not acknowledged it in time") % values
        referral.acknowledge_escalated_at = now
    referral.save(update_fields=["acknowledge_escalated_at", "respond_escalated_at", "updated_at"])
    case = referral.case
    assignee = case.caseworker if case.caseworker and case.caseworker.is_active else None
    Task.objects.create(
        case=case,
        title=title[:200],
        description=_("Follow it up with the provider, or refer the person elsewhere."),
        due_on=timezone.localdate(now),
        assignee=assignee,
        assignee_role="" if assignee else "caseworker",
        source=TaskSource.ESCALATION,
        state=case.state,
    )
    _record(
        None,
        "referral.overdue",
        referral,
        changes={"overdue": [None, "answer" if unanswered else "acknowledgement"]},
        note=_("Due by %(due)s.") % {"due": _when(referral.respond_by if unanswered else referral.acknowledge_by)},
    )
    return 1
