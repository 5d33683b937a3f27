"""Administration pages of the operation: the operation and its offices, programmes, users and roles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from passage.core import access, actions, queries
from passage.core.forms import MembershipForm, OfficeForm, OperationForm, ProgrammeForm, UserCreateForm, UserEditForm
from passage.core.models import Office
from passage.core.views._util import add_action_errors, me, operation_or_403, paginate


@login_required
@require_http_methods(["GET", "POST"])
def manage_operation(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, "operation.manage", operation_or_403(request))
    form = OperationForm(request.POST or None, instance=operation)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_operation(
                operation=operation,
                acting_user=me(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The operation has been saved."))
            return redirect("manage_operation")
    return render(
        request,
        "core/manage/operation.html",
        {
            "form": form,
            "offices": queries.offices_of(request.user, operation),
            "office_form": OfficeForm(),
            "history": queries.history_of(operation, limit=20),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def office_edit(request: HttpRequest, office_id: str | None = None) -> HttpResponse:
    operation = access.require(request.user, "operation.manage", operation_or_403(request))
    office = access.get_office_for_user(request.user, office_id, need="operation.manage") if office_id else None
    form = OfficeForm(request.POST or None, instance=office or Office(operation=operation))
    if request.method == "POST" and form.is_valid():
        try:
            if office is None:
                actions.create_office(
                    operation=operation,
                    acting_user=me(request),
                    code=form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                    place=form.cleaned_data["place"],
                )
            else:
                actions.update_office(
                    office=office,
                    acting_user=me(request),
                    **form.cleaned_data,
                )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The office has been saved."))
            return redirect("manage_operation")
    return render(request, "core/manage/office_form.html", {"form": form, "office": office})


@login_required
@require_http_methods(["GET"])
def programme_list(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, "programme.manage", operation_or_403(request))
    return render(
        request,
        "core/manage/programmes.html",
        {"page": paginate(request, queries.programmes_of(request.user, operation))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, programme_id: str | None = None) -> HttpResponse:
    operation = access.require(request.user, "programme.manage", operation_or_403(request))
    programme = (
        access.get_programme_for_user(request.user, programme_id, need="programme.manage") if programme_id else None
    )
    initial = ProgrammeForm.initial_from(programme) if programme else {"status": "planned"}
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if programme is None:
                actions.create_programme(
                    operation=operation,
                    acting_user=me(request),
                    **form.cleaned_data,
                )
            else:
                actions.update_programme(
                    programme=programme,
                    acting_user=me(request),
                    **form.cleaned_data,
                )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The programme has been saved."))
            return redirect("manage_programmes")
    history = queries.history_of(programme, limit=20) if programme else []
    return render(
        request, "core/manage/programme_form.html", {"form": form, "programme": programme, "history": history}
    )


@login_required
@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, "user.manage", operation_or_403(request))
    search = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "core/manage/users.html",
        {
            "page": paginate(request, queries.members_of(operation, search=search)),
            "search": search,
            "roles": queries.role_catalogue(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, "user.manage", operation_or_403(request))
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = actions.create_user(
                acting_user=me(request),
                operation=operation,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            # The initial password is shown once, to be handed over in person; it is not stored in clear.
            return render(request, "core/manage/user_created.html", {"member": user, "password": password})
    return render(request, "core/manage/user_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, user_id: str) -> HttpResponse:
    operation = access.require(request.user, "user.manage", operation_or_403(request))
    member = access.get_member_for_user(request.user, user_id, operation)
    form = UserEditForm(
        request.POST or None,
        initial={
            "first_name": member.first_name,
            "last_name": member.last_name,
            "email": member.email,
            "is_active": member.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_user(
                user=member,
                operation=operation,
                acting_user=me(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The account has been saved."))
            return redirect("manage_user", user_id=member.pk)
    memberships = (
        member.memberships.filter(operation=operation).select_related("role").prefetch_related("programmes", "offices")
    )
    return render(
        request,
        "core/manage/user_detail.html",
        {
            "member": member,
            "form": form,
            "memberships": memberships,
            "grant_form": MembershipForm(operation=operation),
            "history": queries.history_of_member(member, operation, limit=20),
        },
    )


@login_required
@require_POST
def user_reset_password(request: HttpRequest, user_id: str) -> HttpResponse:
    operation = access.require(request.user, "user.manage", operation_or_403(request))
    member = access.get_member_for_user(request.user, user_id, operation)
    password = actions.reset_password(user=member, operation=operation, acting_user=me(request))
    return render(request, "core/manage/user_created.html", {"member": member, "password": password, "reset": True})


@login_required
@require_POST
def user_reset_two_factor(request: HttpRequest, user_id: str) -> HttpResponse:
    operation = access.require(request.user, "user.manage", operation_or_403(request))
    member = access.get_member_for_user(request.user, user_id, operation)
    try:
        actions.reset_two_factor(
            user=member, operation=operation, acting_user=me(request), reason=request.POST.get("reason", "")[:500]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Two-factor authentication was reset: they set it up again at next sign-in."))
    return redirect("manage_user", user_id=member.pk)


@login_required
@require_POST
def membership_grant(request: HttpRequest, user_id: str) -> HttpResponse:
    operation = access.require(request.user, "user.manage", operation_or_403(request))
    member = access.get_member_for_user(request.user, user_id, operation)
    form = MembershipForm(request.POST, operation=operation)
    if form.is_valid():
        try:
            actions.grant_role(
                acting_user=me(request),
                user=member,
                operation=operation,
                **form.cleaned_data,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The role has been granted."))
    else:
        messages.error(request, _("Choose a role, and only programmes and offices of this operation."))
    return redirect("manage_user", user_id=member.pk)


@login_required
@require_http_methods(["GET", "POST"])
def membership_edit(request: HttpRequest, membership_id: str) -> HttpResponse:
    membership = access.get_membership_for_user(request.user, membership_id)
    form = MembershipForm(
        request.POST or None,
        operation=membership.operation,
        with_role=False,
        initial={"programmes": list(membership.programmes.all()), "offices": list(membership.offices.all())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_membership(
                membership=membership,
                acting_user=me(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The role's limits have been saved."))
            return redirect("manage_user", user_id=membership.user_id)
    return render(request, "core/manage/membership_form.html", {"form": form, "membership": membership})


@login_required
@require_POST
def membership_revoke(request: HttpRequest, membership_id: str) -> HttpResponse:
    membership = access.get_membership_for_user(request.user, membership_id)
    try:
        actions.revoke_membership(
            membership=membership,
            acting_user=me(request),
            reason=request.POST.get("reason", "")[:500],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The role has been revoked."))
    return redirect("manage_user", user_id=membership.user_id)
