"""Referrals: a directory of service providers, and a case's referrals to them, closed-loop (sent, acknowledged,
accepted or rejected, service delivered, feedback, closed).

What a provider receives is only what the person agreed to share with service providers: their consent to
sharing (registry Consent, purpose "sharing") and what it covers (SharingScope, by item of information). The
items chosen are copied into the referral at sending, sealed (encrypted, with a keyed digest kept in the audit
trail) and never changed afterwards.

Who sees a referral is decided here, once (ReferralQuerySet.visible_to): staff who see its case (so a restricted
case's referrals stay with its named staff), and the users of the provider it was sent to
(ReferralQuerySet.received_by) — who see the shared data only, never the case. A provider without a Passage
account reads it through a one-time link (ReferralLink; passage.cases.referral_links says how it is used).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passage.cases.models.cases import Case
from passage.core import access
from passage.core.fields import EncryptedTextField
from passage.core.models import Operation
from passage.registry.models import AdminArea, Consent, Person

if TYPE_CHECKING:
    from passage.core.models import User

__all__ = [
    "ACTIVE_STATES",
    "OPEN_STATES",
    "Channel",
    "ProviderContact",
    "ProviderService",
    "ProviderType",
    "ProviderUser",
    "Referral",
    "ReferralLink",
    "ReferralState",
    "RejectionReason",
    "Service",
    "ServiceProvider",
    "SharingScope",
    "Urgency",
    "providers_of",
]

# Who may consult the directory: those who refer (case.view) and those who keep it (provider.manage).
DIRECTORY_PERMISSIONS = ("case.view", "provider.manage")


class ProviderType(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    UN = "un", _("UN agency")
    NGO = "ngo", _("NGO")
    COMMUNITY = "community", _("Community-based organisation")
    PRIVATE = "private", _("Private")


class Service(models.TextChoices):
    """The services a provider offers and a referral asks for (the direct-assistance domains of the DoMV
    handbook and the usual protection referral pathways)."""

    HEALTH = "health", _("Health")
    MHPSS = "mhpss", _("Mental health and psychosocial support")
    SHELTER = "shelter", _("Shelter and safe accommodation")
    LEGAL_AID = "legal_aid", _("Legal aid")
    EDUCATION = "education", _("Education")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training")
    LIVELIHOODS = "livelihoods", _("Livelihoods")
    CASH = "cash", _("Cash assistance")
    FOOD = "food", _("Food")
    NON_FOOD_ITEMS = "non_food_items", _("Non-food items")
    FAMILY_TRACING = "family_tracing", _("Family tracing and reunification")
    DOCUMENTATION = "documentation", _("Civil documentation")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    GBV = "gbv", _("Gender-based violence response")
    COUNTER_TRAFFICKING = "counter_trafficking", _("Support to survivors of trafficking")
    DISABILITY = "disability", _("Disability support and rehabilitation")
    INTERPRETATION = "interpretation", _("Interpretation")


class Channel(models.TextChoices):
    """How a provider receives referrals."""

    ACCOUNT = "account", _("Through their Passage account")
    LINK = "link", _("By a secure one-time link")
    EMAIL_PHONE = "email_phone", _("By email or phone (the caseworker records their answers)")


class ServiceProviderQuerySet(models.QuerySet["ServiceProvider"]):
    def visible_to(self, user: User | Any) -> ServiceProviderQuerySet:
        """The directories of the operations where the user refers or keeps the directory, and the providers
        the user works for."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        operations = sorted(
            operation_id
            for operation_id, found in access.grants_by_operation(user).items()
            if any(permission in grant.permissions for grant in found for permission in DIRECTORY_PERMISSIONS)
        )
        return self.filter(models.Q(operation_id__in=operations) | models.Q(pk__in=providers_of(user)))


class ServiceProvider(models.Model):
    """An organisation people are referred to: what it offers, where, and how it receives referrals."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="service_providers")
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=12, choices=ProviderType.choices)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address of the organisation"), max_length=300, blank=True)
    # No area: the provider serves the whole operation.
    areas = models.ManyToManyField(AdminArea, blank=True, related_name="service_providers", verbose_name=_("areas"))
    channel = models.CharField(_("receives referrals"), max_length=12, choices=Channel.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceProviderQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("service provider")
        constraints = [
            models.UniqueConstraint(fields=["operation", "name"], name="provider_name_unique_in_operation"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def service_codes(self) -> list[str]:
        return [offered.service for offered in self.services.all()]


class ProviderService(models.Model):
    """One service a provider offers (a row each, so the directory is searched by service with an index)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.ForeignKey(ServiceProvider, on_delete=models.CASCADE, related_name="services")
    service = models.CharField(_("service"), max_length=24, choices=Service.choices)

    class Meta:
        ordering = ["service"]
        constraints = [models.UniqueConstraint(fields=["provider", "service"], name="provider_service_once")]
        indexes = [models.Index(fields=["service", "provider"], name="provider_by_service")]

    def __str__(self) -> str:
        return self.service


class ProviderContact(models.Model):
    """A person to reach at a provider. Names, phones and emails of people are encrypted at rest."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.ForeignKey(ServiceProvider, on_delete=models.CASCADE, related_name="contacts")
    name = EncryptedTextField(_("name"))
    position = models.CharField(_("position"), max_length=120, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    email = EncryptedTextField(_("email"), blank=True)
    receives_referrals = models.BooleanField(_("receives referral links by email"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("provider contact")

    def __str__(self) -> str:
        return f"contact of {self.provider_id}"


class ProviderUser(models.Model):
    """A Passage account that works for a provider: it receives the provider's referrals in its inbox and answers
    them. Removing the link ends the row; it is never deleted, so who could read what stays known."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.ForeignKey(ServiceProvider, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider_links")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "user"],
                condition=models.Q(removed_at__isnull=True),
                name="one_current_provider_user",
            ),
        ]
        indexes = [models.Index(fields=["user", "removed_at"], name="provider_user_by_user")]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.provider_id}"


class SharingScope(models.Model):
    """What a person's consent to sharing with partners covers: the items of information (SHAREABLE in
    passage.cases.referral_sharing) they agreed service providers may receive. It details one consent decision:
    a later decision (given again, refused or withdrawn) needs its own scope, so a withdrawal stops all sharing.
    A new scope for the same decision replaces the earlier one; earlier ones are kept for the record."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="sharing_scopes")
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="sharing_scopes")
    items = models.JSONField(_("information the person agreed to share"), default=list)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-recorded_at", "id"]
        verbose_name = _("scope of consent to sharing")
        indexes = [models.Index(fields=["consent", "-recorded_at"], name="sharing_scope_by_consent")]

    def __str__(self) -> str:
        return f"sharing scope of {self.person_id}"


class Urgency(models.TextChoices):
    """How fast the provider is asked to answer (REFERRAL_DEADLINES in passage.cases.referral_actions)."""

    ROUTINE = "routine", _("Routine")
    PRIORITY = "priority", _("Priority")
    EMERGENCY = "emergency", _("Emergency")


class ReferralState(models.TextChoices):
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DELIVERED = "delivered", _("Service delivered")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = (ReferralState.SENT, ReferralState.ACKNOWLEDGED, ReferralState.ACCEPTED)
# Open, or answered but not yet closed: the referral still waits for something from someone.
ACTIVE_STATES = (*OPEN_STATES, ReferralState.REJECTED, ReferralState.DELIVERED)


class RejectionReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("The person is not eligible")
    NO_CAPACITY = "no_capacity", _("No capacity at the moment")
    NOT_OFFERED = "not_offered", _("We do not offer this service")
    OUTSIDE_AREA = "outside_area", _("Outside the area we serve")
    UNREACHABLE = "unreachable", _("The person could not be reached")
    DECLINED = "declined", _("The person declined the service")
    OTHER = "other", _("Other")


def providers_of(user: User | Any) -> models.QuerySet[ProviderUser, Any]:
    """The providers an active user works for (their link not removed), as a subquery of provider ids: the one
    rule of what a provider's user sees — the referrals their providers received, nothing of the case."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ProviderUser.objects.none().values("provider_id")
    return ProviderUser.objects.filter(user_id=user.pk, removed_at__isnull=True).values("provider_id")


class ReferralQuerySet(models.QuerySet["Referral"]):
    def received_by(self, user: User | Any) -> ReferralQuerySet:
        """Referrals sent to a provider the user works for."""
        return self.filter(provider_id__in=providers_of(user))

    def visible_to(self, user: User | Any) -> ReferralQuerySet:
        """Staff see the referrals of the cases they see (Case.objects.visible_to); a provider's users those
        received by their provider (providers_of)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(
            models.Q(case_id__in=Case.objects.visible_to(user).values("pk"))
            | models.Q(provider_id__in=providers_of(user))
        )

    def overdue(self, now: Any = None) -> ReferralQuerySet:
        now = now or timezone.now()
        return self.filter(
            models.Q(state=ReferralState.SENT, acknowledge_by__lt=now)
            | models.Q(state__in=(ReferralState.SENT, ReferralState.ACKNOWLEDGED), respond_by__lt=now)
        )


class Referral(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="referrals")
    reference = models.CharField(_("referral number"), max_length=32)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    provider = models.ForeignKey(ServiceProvider, on_delete=models.PROTECT, related_name="referrals")
    service = models.CharField(_("service"), max_length=24, choices=Service.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    reason = EncryptedTextField(_("reason for the referral"))

    # What was shared: the items (codes, not values), the consent decision relied on, and the values sealed.
    shared_items = models.JSONField(_("information shared"), default=list)
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    snapshot = EncryptedTextField(_("information shared, as sent"))
    snapshot_digest = models.CharField(max_length=64)

    state = models.CharField(_("state"), max_length=12, choices=ReferralState.choices, default=ReferralState.SENT)
    sent_at = models.DateTimeField(_("sent"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledge_by = models.DateTimeField(_("to acknowledge by"))
    respond_by = models.DateTimeField(_("to accept or reject by"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    rejection_reason = models.CharField(
        _("reason for rejecting"), max_length=16, choices=RejectionReason.choices, blank=True
    )
    rejection_note = models.TextField(_("note on the rejection"), blank=True)
    delivered_on = models.DateField(_("service delivered on"), null=True, blank=True)
    delivered_service = models.TextField(_("service delivered"), blank=True)
    provider_feedback = models.TextField(_("feedback from the provider"), blank=True)
    provider_feedback_at = models.DateTimeField(null=True, blank=True)
    person_satisfaction = models.PositiveSmallIntegerField(_("the person's satisfaction (1–5)"), null=True, blank=True)
    person_feedback = EncryptedTextField(_("feedback from the person"), blank=True)
    person_feedback_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closure_note = models.TextField(_("note on the closure"), blank=True)
    # Escalated once each: an overdue acknowledgement and an overdue answer raise one task on the case.
    acknowledge_escalated_at = models.DateTimeField(null=True, blank=True)
    respond_escalated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "id"]
        verbose_name = _("referral")
        constraints = [
            models.UniqueConstraint(fields=["operation", "reference"], name="referral_reference_unique"),
            models.CheckConstraint(
                condition=models.Q(person_satisfaction__isnull=True)
                | models.Q(person_satisfaction__gte=1, person_satisfaction__lte=5),
                name="referral_satisfaction_1_to_5",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="rejected") | ~models.Q(rejection_reason=""),
                name="rejected_referral_has_a_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "-sent_at"], name="referral_by_case"),
            models.Index(fields=["provider", "state", "-sent_at"], name="referral_by_provider"),
            models.Index(fields=["operation", "state", "-sent_at"], name="referral_by_operation"),
            models.Index(
                fields=["acknowledge_by"],
                condition=models.Q(state="sent", acknowledge_escalated_at__isnull=True),
                name="referral_to_acknowledge",
            ),
            models.Index(
                fields=["respond_by"],
                condition=models.Q(state__in=["sent", "acknowledged"], respond_escalated_at__isnull=True),
                name="referral_to_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.reference  # never a name: this is what the audit trail shows

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_finished(self) -> bool:
        return self.state in (ReferralState.CLOSED, ReferralState.CANCELLED)

    @property
    def acknowledgement_late(self) -> bool:
        return self.state == ReferralState.SENT and self.acknowledge_by < timezone.now()

    @property
    def answer_late(self) -> bool:
        return self.state in (ReferralState.SENT, ReferralState.ACKNOWLEDGED) and self.respond_by < timezone.now()

    @property
    def is_overdue(self) -> bool:
        return self.acknowledgement_late or self.answer_late


class ReferralLink(models.Model):
    """A one-time link for a provider without a Passage account. Only a hash of its token is stored; the token is
    shown once (or emailed) when issued. See passage.cases.referral_links for how it is opened and for how long."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(_("expires"))
    emailed = models.BooleanField(_("sent by email"), default=False)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    session_hash = models.CharField(max_length=64, blank=True)
    session_ends_at = models.DateTimeField(null=True, blank=True)
    views = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("referral link")

    def __str__(self) -> str:
        return f"link {str(self.pk)[:8]} of {self.referral_id}"

    @property
    def is_live(self) -> bool:
        """Not revoked, and either still to be opened before it expires or in its session."""
        if self.revoked_at is not None:
            return False
        now = timezone.now()
        if self.opened_at is None:
            return self.expires_at > now
        return self.session_ends_at is not None and self.session_ends_at > now
