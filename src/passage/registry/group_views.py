"""Pages of groups and communities: the list (search, kind and area filters), a group's page (members and
their roles, households, history), creating and correcting a group, members (with a person picker),
roles, the representative, households of a community, and dissolution.

Thin: a group comes only through registry.group_access (a 404 for anyone who may not `need` it), lists
through registry.group_queries, and every change through one action of registry.group_actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from passage.core import access
from passage.core.queries import history_of
from passage.core.views._util import add_action_errors, me, operation_or_403, paginate
from passage.registry import group_actions as actions
from passage.registry import group_queries as queries
from passage.registry.group_access import (
    find_household_for_group,
    find_person_for_group,
    get_group_for_user,
    get_group_household,
    get_group_membership,
    get_group_to_pick_for_user,
    may_change_group,
)
from passage.registry.group_actions import GroupChangedMeanwhile
from passage.registry.group_forms import (
    AddHouseholdForm,
    AddMemberForm,
    DissolveForm,
    EndForm,
    GroupForm,
    RepresentativeForm,
    RoleForm,
)
from passage.registry.models import AdminArea, Group, GroupKind, GroupMembership, GroupStatus
from passage.registry.queries import search_people

SEARCH_MAX = 200
PICKER_SHOWN = 8


def _changer(request: HttpRequest, group_id: Any) -> Group:
    """The group, for someone who may change it (404 for anyone else: it would confirm it exists)."""
    return get_group_for_user(request.user, group_id, need="person.register")


def _to_group(group: Group, anchor: str = "") -> HttpResponse:
    response = redirect("registry_group", group_id=group.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _renamed(error: ValidationError, names: dict[str, str]) -> ValidationError:
    """The action's field names as the form calls them ('person' -> 'reference')."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({names.get(key, key): value for key, value in error.error_dict.items()})


# --- list and page ------------------------------------------------------------------------------------------


@login_required
@require_GET
def groups(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, "person.view", operation_or_403(request))
    search = request.GET.get("q", "").strip()[:SEARCH_MAX]
    kind = request.GET.get("kind", "")
    kind = kind if kind in GroupKind.values else ""
    status = request.GET.get("status", "")
    status = status if status in GroupStatus.values else ""
    pcode = request.GET.get("area", "").strip().upper()[:32]
    area = AdminArea.objects.filter(pcode=pcode, country=operation.country).first() if pcode else None
    found = queries.groups_for(request.user, operation, text=search, kind=kind, area=area, status=status)
    page = paginate(request, found)
    filtered = bool(search or kind or area or status)
    context = {
        "page": page,
        "search": search,
        "kind": kind,
        "status": status,
        "area": area,
        "kinds": GroupKind.choices,
        "statuses": GroupStatus.choices,
        "areas": queries.areas_of(operation),
        "filtered": filtered,
        "may_create": access.can(request.user, "person.register", operation),
    }
    template = "registry/groups/list.html#groups-table" if request.htmx else "registry/groups/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_GET
def group(request: HttpRequest, group_id: str) -> HttpResponse:
    found = queries.group_detail(get_group_for_user(request.user, group_id))
    return render(
        request,
        "registry/groups/detail.html",
        {
            "group": found,
            **queries.split_members(found),
            "may_edit": may_change_group(request.user, found) and found.is_active,
            "history": history_of(found),
        },
    )


# --- the group itself ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, "person.register", operation_or_403(request))
    form = GroupForm(request.POST or None, operation=operation)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.create_group(acting_user=me(request), operation=operation, **form.values())
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Group %(ref)s is created.") % {"ref": created.reference})
            return _to_group(created)
    return render(request, "registry/groups/form.html", {"form": form, "group": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, group_id: str) -> HttpResponse:
    group = _changer(request, group_id)
    if not group.is_active:
        messages.info(request, _("A dissolved group no longer changes."))
        return _to_group(group)
    form = GroupForm(request.POST or None, operation=group.operation, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.update_group(
                group=group,
                acting_user=me(request),
                version=form.cleaned_data.get("version") or 0,
                values=form.values(),
            )
        except ValidationError as error:
            add_action_errors(form, error)
        except GroupChangedMeanwhile as conflict:
            form = _rebased(request, conflict)
        else:
            if saved.version != group.version:
                messages.success(request, _("Group %(ref)s is corrected.") % {"ref": saved.reference})
            else:
                messages.info(request, _("Nothing was changed."))
            return _to_group(saved)
    return render(request, "registry/groups/form.html", {"form": form, "group": group})


def _rebased(request: HttpRequest, conflict: GroupChangedMeanwhile) -> GroupForm:
    """After a conflict: what the other person changed is shown as it is now (and marked), everything else as
    the clerk typed it, with the current version, so that saving again keeps both changes."""
    current = Group.objects.select_related("operation").get(pk=conflict.group.pk)
    fresh = GroupForm(operation=current.operation, group=current)
    theirs = {name for change in conflict.changes for name in change["fields"]}
    data = request.POST.copy()
    for name in fresh.fields:
        if name in theirs:
            value = fresh.initial.get(name)
            data[name] = "" if value is None else str(value)
    data["version"] = str(current.version)
    form = GroupForm(data, operation=current.operation, group=current)
    form.is_valid()
    form.add_error(None, str(conflict))
    for name in theirs & set(form.fields):
        form.add_error(name, _("Changed meanwhile by someone else: this is the value now."))
    return form


@login_required
@require_http_methods(["GET", "POST"])
def dissolve(request: HttpRequest, group_id: str) -> HttpResponse:
    group = _changer(request, group_id)
    if not group.is_active:
        return _to_group(group)
    form = DissolveForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.dissolve_group(
                group=group, acting_user=me(request), on=data["on"], reason=data["reason"], version=data["version"]
            )
        except ValidationError as error:
            add_action_errors(form, error)
        except GroupChangedMeanwhile as conflict:
            form = DissolveForm({**request.POST.dict(), "version": conflict.current_version}, group=group)
            form.is_valid()
            form.add_error(None, str(conflict))
        else:
            messages.warning(request, _("Group %(ref)s is dissolved.") % {"ref": group.reference})
            return _to_group(group)
    members = group.memberships.filter(left_on__isnull=True).count()
    households = group.household_links.filter(left_on__isnull=True).count()
    return render(
        request,
        "registry/groups/dissolve.html",
        {"group": group, "form": form, "members": members, "households": households},
    )


# --- members ------------------------------------------------------------------------------------------------


def _picked(request: HttpRequest, group: Group, reference: str) -> Any:
    try:
        return find_person_for_group(request.user, group, reference)
    except Http404:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, group_id: str) -> HttpResponse:
    group = _changer(request, group_id)
    if not group.is_active:
        return _to_group(group)
    form = AddMemberForm(request.POST or None)
    pick = request.GET.get("pick", "").strip()[:32]
    if request.method == "GET" and pick:
        form = AddMemberForm(initial={**form.initial, "reference": pick})
    if request.method == "POST" and form.is_valid():
        reference = form.chosen()
        person = _picked(request, group, reference) if reference else None
        if not reference:
            form.add_error("reference", _("Find the person above, or type their registration number."))
        elif person is None:
            form.add_error(
                "reference", _("No person with this registration number among those you may see in this operation.")
            )
        else:
            data = form.cleaned_data
            try:
                added = actions.add_member(
                    group=group,
                    person=person,
                    acting_user=me(request),
                    role=data["role"],
                    joined_on=data["joined_on"],
                    note=data.get("note", ""),
                )
            except ValidationError as error:
                add_action_errors(form, _renamed(error, {"person": "reference"}))
            else:
                messages.success(
                    request,
                    _("%(ref)s joined %(group)s as %(role)s.")
                    % {"ref": person.reference, "group": group.reference, "role": added.get_role_display().lower()},
                )
                return _to_group(group, "members")
    find = request.GET.get("find", "").strip()[:SEARCH_MAX]
    return render(
        request,
        "registry/groups/member_add.html",
        {
            "group": group,
            "form": form,
            "find": find,
            "results": _search(request, group, find),
            "picked": _picked(request, group, pick) if pick else None,
        },
    )


def _search(request: HttpRequest, group: Group, text: str) -> list[Any]:
    if not text:
        return []
    people = search_people(request.user, group.operation, text).select_related("admin_area")
    return list(people[:PICKER_SHOWN])


@login_required
@require_GET
def person_picker(request: HttpRequest, group_id: str) -> HttpResponse:
    """The person picker of the add-member page (htmx): people matching `find` among those the user may see,
    or, with `pick`, the registration number field filled with the chosen person."""
    group = get_group_to_pick_for_user(request.user, group_id)
    pick = request.GET.get("pick", "").strip()[:32]
    if pick:
        form = AddMemberForm(initial={"reference": pick})
        return render(
            request,
            "registry/groups/_person_slot.html",
            {"group": group, "form": form, "picked": _picked(request, group, pick)},
        )
    find = request.GET.get("find", "").strip()[:SEARCH_MAX]
    return render(
        request,
        "registry/groups/_picker_results.html",
        {"group": group, "find": find, "results": _search(request, group, find)},
    )


def _membership_page(
    request: HttpRequest, group: Group, membership: GroupMembership, end_form: EndForm, role_form: RoleForm
) -> HttpResponse:
    history = list(
        group.memberships.filter(person_id=membership.person_id).order_by("joined_on", "id").select_related("person")
    )
    return render(
        request,
        "registry/groups/membership.html",
        {
            "group": group,
            "membership": membership,
            "person": membership.person,
            "roles": history,
            "end_form": end_form,
            "role_form": role_form,
            "may_edit": membership.left_on is None and group.is_active,
        },
    )


@login_required
@require_GET
def membership(request: HttpRequest, group_id: str, membership_id: str) -> HttpResponse:
    group = _changer(request, group_id)
    found = get_group_membership(group, membership_id)
    return _membership_page(request, group, found, EndForm(prefix="end"), RoleForm())


@login_required
@require_POST
def member_end(request: HttpRequest, group_id: str, membership_id: str) -> HttpResponse:
    group = _changer(request, group_id)
    found = get_group_membership(group, membership_id)
    form = EndForm(request.POST, prefix="end")
    if form.is_valid():
        try:
            actions.end_membership(
                membership=found, acting_user=me(request), on=form.cleaned_data["on"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, _("%(ref)s left %(group)s.") % {"ref": found.person.reference, "group": group.reference}
            )
            return _to_group(group, "members")
    return _membership_page(request, group, found, form, RoleForm())


@login_required
@require_POST
def member_role(request: HttpRequest, group_id: str, membership_id: str) -> HttpResponse:
    group = _changer(request, group_id)
    found = get_group_membership(group, membership_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            changed = actions.change_member_role(
                membership=found, role=data["role"], acting_user=me(request), on=data["on"], note=data["note"]
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                _("%(ref)s is now %(role)s.")
                % {"ref": found.person.reference, "role": changed.get_role_display().lower()},
            )
            return _to_group(group, "members")
    return _membership_page(request, group, found, EndForm(prefix="end"), form)


@login_required
@require_http_methods(["GET", "POST"])
def representative(request: HttpRequest, group_id: str) -> HttpResponse:
    group = _changer(request, group_id)
    if not group.is_active:
        return _to_group(group)
    members = list(group.memberships.filter(left_on__isnull=True).select_related("person").order_by("joined_on", "id"))
    form = RepresentativeForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = next(m.person for m in members if str(m.person_id) == data["person"])
        try:
            actions.set_representative(
                group=group,
                person=chosen,
                acting_user=me(request),
                on=data["on"],
                former_role=data["former_role"],
                note=data["note"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                _("%(ref)s now represents %(group)s.") % {"ref": chosen.reference, "group": group.reference},
            )
            return _to_group(group, "members")
    current = next((m for m in members if m.role == "representative"), None)
    return render(request, "registry/groups/representative.html", {"group": group, "form": form, "current": current})


# --- households ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def household_add(request: HttpRequest, group_id: str) -> HttpResponse:
    group = _changer(request, group_id)
    if not group.is_active:
        return _to_group(group)
    form = AddHouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            household = find_household_for_group(request.user, group, data["household"])
        except Http404:
            form.add_error("household", _("No household with this number among those you may see in this operation."))
        else:
            try:
                actions.add_household(
                    group=group,
                    household=household,
                    acting_user=me(request),
                    joined_on=data["joined_on"],
                    note=data["note"],
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Household %(ref)s is part of %(group)s.")
                    % {"ref": household.reference, "group": group.reference},
                )
                return _to_group(group, "households")
    return render(request, "registry/groups/household_add.html", {"group": group, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def household_end(request: HttpRequest, group_id: str, link_id: str) -> HttpResponse:
    group = _changer(request, group_id)
    link = get_group_household(group, link_id)
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_household(
                link=link, acting_user=me(request), on=form.cleaned_data["on"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                _("Household %(ref)s is no longer part of %(group)s.")
                % {"ref": link.household.reference, "group": group.reference},
            )
            return _to_group(group, "households")
    return render(request, "registry/groups/household_end.html", {"group": group, "link": link, "form": form})
