"""Pages of the directory of service providers: the list searched by service, area and name, a provider's page
(services, areas, contacts, the accounts that work for it), and for those keeping the directory (provider.manage)
adding and editing providers, their contacts and accounts. Every change through provider_actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from passage.cases import provider_actions as actions
from passage.cases import referral_queries as queries
from passage.cases.models.referrals import ServiceProvider
from passage.cases.referral_access import (
    get_provider_for_user,
    get_provider_user,
    may_consult_directory,
    may_manage_providers,
)
from passage.cases.referral_forms import ActiveForm, ContactForm, DirectorySearchForm, LinkUserForm, ProviderForm
from passage.core.models import User
from passage.core.views._util import add_action_errors, me, operation_or_403, paginate


def _provider_url(provider: ServiceProvider, anchor: str = "") -> str:
    url = reverse("cases_provider", kwargs={"provider_id": provider.pk})
    return f"{url}#{anchor}" if anchor else url


def _linkable(provider: ServiceProvider) -> Any:
    """Accounts that may be linked to the provider: active accounts of its operation (whose administrators
    create them, as for any user), not linked yet."""
    linked = provider.members.filter(removed_at__isnull=True).values("user_id")
    members = User.objects.filter(memberships__operation_id=provider.operation_id).values("pk")
    return (
        User.objects.filter(is_active=True, is_superuser=False, pk__in=members)
        .exclude(pk__in=linked)
        .order_by("username")
    )


@login_required
@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    operation = operation_or_403(request)
    if not may_consult_directory(request.user, operation):
        raise PermissionDenied
    form = DirectorySearchForm(request.GET or None, areas=queries.search_areas(operation))
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "service": form.cleaned_data["service"],
            "area": form.cleaned_data["area"],
            "text": form.cleaned_data["q"],
        }
    show_inactive = request.GET.get("inactive") == "1" and may_manage_providers(request.user, operation)
    page = paginate(request, queries.directory(request.user, operation, active_only=not show_inactive, **filters))
    return render(
        request,
        "cases/referrals/directory.html",
        {
            "form": form,
            "page": page,
            "may_manage": may_manage_providers(request.user, operation),
            "show_inactive": show_inactive,
        },
    )


@login_required
@require_GET
def provider(request: HttpRequest, provider_id: str) -> HttpResponse:
    item = get_provider_for_user(request.user, provider_id)
    manage = may_manage_providers(request.user, item.operation)
    return render(
        request,
        "cases/referrals/provider.html",
        {
            "provider": item,
            "services": item.services.all(),
            "areas": item.areas.order_by("level", "name"),
            "contacts": list(item.contacts.all()),
            "members": list(item.members.filter(removed_at__isnull=True).select_related("user")) if manage else [],
            "may_manage": manage,
            "contact_form": ContactForm() if manage else None,
            "link_form": LinkUserForm(users=_linkable(item)) if manage else None,
            "active_form": ActiveForm() if manage else None,
        },
    )


def _provider_values(form: ProviderForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "type": data["type"],
        "channel": data["channel"],
        "services": data["services"],
        "areas": data["areas"],
        "description": data["description"],
        "address": data["address"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def provider_create(request: HttpRequest) -> HttpResponse:
    operation = operation_or_403(request)
    if not may_manage_providers(request.user, operation):
        raise PermissionDenied
    form = ProviderForm(request.POST or None, operation=operation)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.create_provider(acting_user=me(request), operation=operation, **_provider_values(form))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("%(name)s is in the directory.") % {"name": created.name})
            return redirect(_provider_url(created))
    return render(request, "cases/referrals/provider_form.html", {"form": form, "provider": None})


@login_required
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, provider_id: str) -> HttpResponse:
    item = get_provider_for_user(request.user, provider_id, need="manage")
    initial = {
        "name": item.name,
        "type": item.type,
        "channel": item.channel,
        "services": item.service_codes,
        "areas": " ".join(item.areas.values_list("pcode", flat=True)),
        "description": item.description,
        "address": item.address,
    }
    form = ProviderForm(request.POST or None, operation=item.operation, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_provider(provider=item, acting_user=me(request), **_provider_values(form))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The directory is updated."))
            return redirect(_provider_url(item))
    return render(request, "cases/referrals/provider_form.html", {"form": form, "provider": item})


@login_required
@require_POST
def provider_active(request: HttpRequest, provider_id: str) -> HttpResponse:
    item = get_provider_for_user(request.user, provider_id, need="manage")
    form = ActiveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        actions.set_provider_active(
            provider=item, acting_user=me(request), active=request.POST.get("active") == "1", reason=reason
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The directory is updated."))
    return redirect(_provider_url(item))


@login_required
@require_POST
def contact_add(request: HttpRequest, provider_id: str) -> HttpResponse:
    item = get_provider_for_user(request.user, provider_id, need="manage")
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            actions.add_contact(provider=item, acting_user=me(request), **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
    if form.errors:
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    else:
        messages.success(request, _("The contact is added."))
    return redirect(_provider_url(item, "contacts"))


@login_required
@require_POST
def contact_remove(request: HttpRequest, provider_id: str, contact_id: str) -> HttpResponse:
    item = get_provider_for_user(request.user, provider_id, need="manage")
    contact = item.contacts.filter(pk=contact_id).first()
    if contact is None:
        raise Http404
    actions.remove_contact(contact=contact, acting_user=me(request))
    messages.success(request, _("The contact is removed."))
    return redirect(_provider_url(item, "contacts"))


@login_required
@require_POST
def user_link(request: HttpRequest, provider_id: str) -> HttpResponse:
    item = get_provider_for_user(request.user, provider_id, need="manage")
    form = LinkUserForm(request.POST, users=_linkable(item))
    if not form.is_valid():
        messages.error(request, _("Choose an active account not yet linked to this provider."))
        return redirect(_provider_url(item, "accounts"))
    try:
        actions.link_user(provider=item, user=form.cleaned_data["user"], acting_user=me(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s now works for the provider.") % {"name": form.cleaned_data["user"]})
    return redirect(_provider_url(item, "accounts"))


@login_required
@require_POST
def user_unlink(request: HttpRequest, provider_id: str, link_id: str) -> HttpResponse:
    item = get_provider_for_user(request.user, provider_id, need="manage")
    link = get_provider_user(item, link_id)
    try:
        actions.unlink_user(link=link, acting_user=me(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s no longer works for the provider.") % {"name": link.user})
    return redirect(_provider_url(item, "accounts"))
