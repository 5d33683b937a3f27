"""The directory of service providers: adding and editing providers, their contacts, and the Passage accounts
that work for them. For holders of provider.manage in the provider's operation (administrators by default).

Actions like the rest: keyword-only arguments, the acting user, one transaction, an audit event about the
provider. Contacts' names, phones and emails are personal data: encrypted at rest, never written to the trail.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.cases.models.referrals import (
    Channel,
    ProviderContact,
    ProviderService,
    ProviderType,
    ProviderUser,
    Service,
    ServiceProvider,
)
from passage.cases.referral_access import PROVIDER_MANAGE
from passage.core import audit
from passage.core.access import can
from passage.core.models import Membership, Operation, User
from passage.registry.models import AdminArea

NAME_MAX = 200


def _require(user: User | None, obj: Any) -> None:
    if user is not None and not can(user, PROVIDER_MANAGE, obj):
        raise PermissionDenied(PROVIDER_MANAGE)


def _clean(
    *,
    operation: Operation,
    name: str,
    type: str,
    channel: str,
    services: Iterable[str],
    areas: Iterable[AdminArea],
    exclude: Any = None,
) -> tuple[str, list[str], list[AdminArea]]:
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the provider's name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("Keep the name under %(n)s characters.") % {"n": NAME_MAX}
    elif ServiceProvider.objects.filter(operation=operation, name__iexact=name).exclude(pk=exclude).exists():
        errors["name"] = _("The directory already has a provider called %(name)s.") % {"name": name}
    if type not in ProviderType.values:
        errors["type"] = _("Choose the type of organisation.")
    if channel not in Channel.values:
        errors["channel"] = _("Choose how the provider receives referrals.")
    chosen = sorted(set(services))
    if not chosen:
        errors["services"] = _("Choose at least one service the provider offers.")
    elif any(code not in Service.values for code in chosen):
        errors["services"] = _("Unknown service.")
    listed = list(areas)
    if any(area.country != operation.country.upper() for area in listed):
        errors["areas"] = _("Choose areas of %(country)s.") % {"country": operation.country.upper()}
    if errors:
        raise ValidationError(errors)
    return name, chosen, listed


@transaction.atomic
def create_provider(
    *,
    acting_user: User | None,
    operation: Operation,
    name: str,
    type: str,
    channel: str,
    services: Iterable[str],
    areas: Iterable[AdminArea] = (),
    description: str = "",
    address: str = "",
) -> ServiceProvider:
    """Add a provider to the operation's directory: what it offers, where (no area: the whole operation), and how
    it receives referrals."""
    _require(acting_user, operation)
    name, chosen, listed = _clean(
        operation=operation, name=name, type=type, channel=channel, services=services, areas=areas
    )
    provider = ServiceProvider.objects.create(
        operation=operation,
        name=name,
        type=type,
        channel=channel,
        description=(description or "").strip(),
        address=(address or "").strip()[:300],
    )
    ProviderService.objects.bulk_create([ProviderService(provider=provider, service=code) for code in chosen])
    provider.areas.set(listed)
    audit.record(
        acting_user,
        "provider.created",
        provider,
        changes={
            "name": [None, name],
            "type": [None, type],
            "channel": [None, channel],
            "services": [None, chosen],
            "areas": [None, sorted(area.pcode for area in listed)],
        },
    )
    return provider


@transaction.atomic
def update_provider(
    *,
    provider: ServiceProvider,
    acting_user: User | None,
    name: str,
    type: str,
    channel: str,
    services: Iterable[str],
    areas: Iterable[AdminArea] = (),
    description: str = "",
    address: str = "",
) -> ServiceProvider:
    """Change what the directory says of a provider. Referrals already sent keep what they were sent with."""
    _require(acting_user, provider)
    current = ServiceProvider.objects.select_for_update(of=("self",)).select_related("operation").get(pk=provider.pk)
    name, chosen, listed = _clean(
        operation=current.operation,
        name=name,
        type=type,
        channel=channel,
        services=services,
        areas=areas,
        exclude=current.pk,
    )
    before = {
        "name": current.name,
        "type": current.type,
        "channel": current.channel,
        "description": current.description,
        "address": current.address,
        "services": sorted(current.service_codes),
        "areas": sorted(current.areas.values_list("pcode", flat=True)),
    }
    current.name, current.type, current.channel = name, type, channel
    current.description, current.address = (description or "").strip(), (address or "").strip()[:300]
    current.save()
    current.services.exclude(service__in=chosen).delete()
    have = set(current.services.values_list("service", flat=True))
    ProviderService.objects.bulk_create(
        [ProviderService(provider=current, service=code) for code in chosen if code not in have]
    )
    current.areas.set(listed)
    after = {
        "name": name,
        "type": type,
        "channel": channel,
        "description": current.description,
        "address": current.address,
        "services": chosen,
        "areas": sorted(area.pcode for area in listed),
    }
    changes = audit.diff(before, after)
    if changes:
        audit.record(acting_user, "provider.updated", current, changes=changes)
    return current


@transaction.atomic
def set_provider_active(
    *, provider: ServiceProvider, acting_user: User | None, active: bool, reason: str = ""
) -> ServiceProvider:
    """Take a provider out of the directory (it receives no new referral; those sent stay as they are), or back."""
    _require(acting_user, provider)
    current = ServiceProvider.objects.select_for_update().get(pk=provider.pk)
    if current.is_active == active:
        message = _("%(name)s is already active.") if active else _("%(name)s is already inactive.")
        raise ValidationError(message % {"name": current})
    if not active and not reason.strip():
        raise ValidationError({"reason": _("Say why the provider no longer takes referrals.")})
    current.is_active = active
    current.save(update_fields=["is_active", "updated_at"])
    audit.record(acting_user, "provider.active", current, changes={"active": [not active, active]}, note=reason.strip())
    return current


# --- contacts -----------------------------------------------------------------------------------------------


@transaction.atomic
def add_contact(
    *,
    provider: ServiceProvider,
    acting_user: User | None,
    name: str,
    position: str = "",
    phone: str = "",
    email: str = "",
    receives_referrals: bool = False,
) -> ProviderContact:
    """Someone to reach at the provider. A contact who receives referrals is emailed the one-time links."""
    _require(acting_user, provider)
    errors: dict[str, str] = {}
    name, phone, email = (name or "").strip(), (phone or "").strip(), (email or "").strip()
    if not name:
        errors["name"] = _("Give the contact's name.")
    if not phone and not email:
        errors["phone"] = _("Give a phone number or an email address.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("This is not an email address.")
    if receives_referrals and not email:
        errors["receives_referrals"] = _("Links are emailed: give the contact's email address.")
    if errors:
        raise ValidationError(errors)
    contact = ProviderContact.objects.create(
        provider=provider,
        name=name[:200],
        position=(position or "").strip()[:120],
        phone=phone[:60],
        email=email[:254],
        receives_referrals=receives_referrals,
    )
    audit.record(
        acting_user,
        "provider.contact_added",
        provider,
        changes={"contact": [None, str(contact.pk)], "receives_referrals": [None, receives_referrals]},
    )
    return contact


@transaction.atomic
def remove_contact(*, contact: ProviderContact, acting_user: User | None) -> None:
    provider = contact.provider
    _require(acting_user, provider)
    contact_id = str(contact.pk)
    contact.delete()
    audit.record(acting_user, "provider.contact_removed", provider, changes={"contact": [contact_id, None]})


# --- the provider's users -----------------------------------------------------------------------------------


@transaction.atomic
def link_user(*, provider: ServiceProvider, user: User, acting_user: User | None) -> ProviderUser:
    """A Passage account works for the provider: it receives the provider's referrals in its inbox (the shared
    data only, never the case) and answers them."""
    _require(acting_user, provider)
    if not user.is_active:
        raise ValidationError({"user": _("%(name)s's account is not active.") % {"name": user}})
    if not Membership.objects.filter(user=user, operation_id=provider.operation_id).exists():
        raise ValidationError({"user": _("%(name)s has no account in this operation.") % {"name": user}})
    if ProviderUser.objects.filter(provider=provider, user=user, removed_at__isnull=True).exists():
        raise ValidationError(
            {"user": _("%(name)s already works for %(provider)s.") % {"name": user, "provider": provider}}
        )
    link = ProviderUser.objects.create(provider=provider, user=user, added_by=acting_user, added_at=timezone.now())
    audit.record(acting_user, "provider.user_linked", provider, changes={"user": [None, str(user.pk)]})
    return link


@transaction.atomic
def unlink_user(*, link: ProviderUser, acting_user: User | None) -> ProviderUser:
    provider = link.provider
    _require(acting_user, provider)
    link = ProviderUser.objects.select_for_update().get(pk=link.pk)
    if link.removed_at is not None:
        raise ValidationError(_("This account no longer works for the provider."))
    link.removed_at, link.removed_by = timezone.now(), acting_user
    link.save(update_fields=["removed_at", "removed_by"])
    audit.record(acting_user, "provider.user_unlinked", provider, changes={"user": [str(link.user_id), None]})
    return link
