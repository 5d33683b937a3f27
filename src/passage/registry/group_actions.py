"""Every change to groups and communities: create, correct, members and their roles, households, dissolution.

Each action takes keyword-only arguments and the acting user, runs in one transaction and records one audit
event on the group. Changing a group needs person.register on it (its office, for roles limited to some
offices). A membership is never deleted: it ends (the person left, their role changed, or the group was
dissolved), so the group's history stays readable. A group carries a version: a correction names the version
it started from, and one that started before someone else's correction is refused (GroupChangedMeanwhile)
with who changed what, never saved over it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.core import audit
from passage.core.access import can
from passage.core.models import AuditEvent, Office, Operation, User
from passage.registry.actions import new_reference
from passage.registry.models import (
    AdminArea,
    Group,
    GroupHousehold,
    GroupKind,
    GroupMembership,
    GroupRole,
    GroupStatus,
    Household,
    MembershipEnd,
    Person,
    PersonStatus,
    Site,
)

# What a correction may change (and what the audit event compares).
EDITABLE = (
    "kind",
    "name",
    "name_latin",
    "office",
    "admin_area",
    "site",
    "description",
    "estimated_size",
)
LARGEST_SIZE = 50_000_000


class GroupChangedMeanwhile(Exception):
    """Someone changed the group after this edit started from `expected_version`. Nothing was saved."""

    def __init__(self, group: Group, expected_version: int, changes: list[dict[str, Any]]) -> None:
        self.group = group
        self.expected_version = expected_version
        self.current_version = group.version
        self.changes = changes  # each: at, by, fields
        super().__init__(self.message())

    def message(self) -> str:
        if not self.changes:
            return _(
                "Someone changed this group after you opened it (version %(old)s, now %(new)s). Nothing was saved: "
                "look at the group again and make your change once more."
            ) % {"old": self.expected_version, "new": self.current_version}
        described = "; ".join(
            _("%(by)s at %(at)s changed %(fields)s")
            % {
                "by": change["by"],
                "at": timezone.localtime(change["at"]).strftime("%Y-%m-%d %H:%M"),
                "fields": ", ".join(field_label(name) for name in change["fields"]) or _("the group"),
            }
            for change in self.changes
        )
        return _(
            "Someone changed this group after you opened it: %(changes)s. Nothing was saved: check those values "
            "and save again."
        ) % {"changes": described}


def field_label(name: str) -> str:
    """A field's name as people read it ('name_latin' -> 'name (Latin letters)')."""
    try:
        return str(getattr(Group._meta.get_field(name), "verbose_name", name))
    except Exception:
        return name.replace("_", " ")


def changes_since(group: Group, version: int) -> list[dict[str, Any]]:
    """Who changed which fields of the group after `version`, oldest first, read from the audit trail (every
    change that moves the version records it as "version": [old, new])."""
    found: list[dict[str, Any]] = []
    events = AuditEvent.objects.filter(object_type="registry.group", object_id=str(group.pk)).order_by("-id")
    for event in events[:200]:
        bump = (event.changes or {}).get("version")
        if not (isinstance(bump, list) and len(bump) == 2 and isinstance(bump[1], int)):
            continue
        if bump[1] <= version:
            break
        fields = [name for name in event.changes if name != "version"]
        found.append({"at": event.at, "by": event.actor_username or _("system"), "fields": fields})
    return list(reversed(found))


# --- helpers ------------------------------------------------------------------------------------------------


def _require(user: User | None, record: Group | Office | Operation) -> None:
    if user is not None and not can(user, "person.register", record):
        raise PermissionDenied("person.register")


def _refuse_office(user: User, office: Office, operation: Operation) -> None:
    """A clerk who registers people in some offices only, choosing another one, hears which field is wrong."""
    if not can(user, "person.register", office) and can(user, "person.register", operation):
        raise ValidationError({"office": _("You may not register people for this office.")})


def _locked(group: Group) -> Group:
    """The group as stored now, locked for this transaction."""
    return Group.objects.select_for_update(of=("self",)).select_related("operation").get(pk=group.pk)


def _refuse_dissolved(group: Group) -> None:
    if group.status == GroupStatus.DISSOLVED:
        raise ValidationError(
            _("This group was dissolved on %(on)s: it no longer changes.")
            % {"on": group.dissolved_on.isoformat() if group.dissolved_on else "?"}
        )


def _bump(group: Group, changes: dict[str, Any]) -> None:
    before = group.version
    group.version = before + 1
    changes["version"] = [before, group.version]


def _date(on: dt.date | None, field: str, *, not_before: dt.date | None = None, what: str = "") -> dt.date:
    """`on` (today when not given), refused when it is in the future or before `not_before`."""
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationError({field: _("The date is in the future.")})
    if not_before is not None and on < not_before:
        raise ValidationError({field: _("The date is before %(what)s (%(on)s).") % {"what": what, "on": not_before}})
    return on


def _is_latin(text: str) -> bool:
    """True when every letter of `text` is a Latin letter (digits, spaces and punctuation pass)."""
    return all(not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in text)


def _check_fields(operation: Operation, values: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """The rules a group's own fields follow; problems by field. `values` are cleaned in place."""
    for name in ("name", "name_latin"):
        values[name] = (values.get(name) or "").strip()
        if len(values[name]) > 200:
            errors.setdefault(name, []).append(_("At most 200 characters."))
    values["description"] = (values.get("description") or "").strip()
    if not values["name"] and not values["name_latin"]:
        errors.setdefault("name", []).append(_("Give the group's name, as written or in Latin letters."))
    if values["name_latin"] and not _is_latin(values["name_latin"]):
        errors.setdefault("name_latin", []).append(
            _("Write this name in Latin letters (the other field takes any script).")
        )
    if values.get("kind") not in GroupKind.values:
        errors.setdefault("kind", []).append(_("Choose what kind of group this is."))
    office: Office | None = values.get("office")
    if office is not None and office.operation_id != operation.pk:
        errors.setdefault("office", []).append(_("This office belongs to another operation."))
    site: Site | None = values.get("site")
    if site is not None and site.operation_id != operation.pk:
        errors.setdefault("site", []).append(_("This site belongs to another operation."))
    area: AdminArea | None = values.get("admin_area")
    if area is not None and operation.country and area.country != operation.country:
        errors.setdefault("admin_area", []).append(_("This area is in another country than the operation."))
    if area is None and site is not None and "site" not in errors:
        values["admin_area"] = site.admin_area  # a community at a site lies in the site's area
    if values.get("kind") == GroupKind.COMMUNITY and values.get("admin_area") is None and site is None:
        errors.setdefault("admin_area", []).append(_("A community is tied to a place: give its area or its site."))
    size = values.get("estimated_size")
    if size is not None and not (0 <= size <= LARGEST_SIZE):
        errors.setdefault("estimated_size", []).append(_("Give a number of people between 0 and 50,000,000."))


def _readable(group: Group) -> dict[str, Any]:
    """The group's own fields as the history shows them: the office's code, the area's P-code, the site's code."""
    values = audit.snapshot(group, ("kind", "name", "name_latin", "description", "estimated_size"))
    values["office"] = group.office.code if group.office else None
    values["admin_area"] = group.admin_area.pcode if group.admin_area else None
    values["site"] = group.site.code if group.site else None
    return values


def _describe_person(person: Person) -> str:
    return person.reference


# --- the group itself ---------------------------------------------------------------------------------------


@transaction.atomic
def create_group(
    *,
    acting_user: User | None,
    operation: Operation,
    kind: str,
    name: str = "",
    name_latin: str = "",
    office: Office | None = None,
    admin_area: AdminArea | None = None,
    site: Site | None = None,
    description: str = "",
    estimated_size: int | None = None,
) -> Group:
    """A new group or community of the operation, with a readable number (GR-…)."""
    if acting_user is not None and office is not None and office.operation_id == operation.pk:
        _refuse_office(acting_user, office, operation)
    _require(acting_user, office or operation)
    values: dict[str, Any] = {
        "kind": kind,
        "name": name,
        "name_latin": name_latin,
        "office": office,
        "admin_area": admin_area,
        "site": site,
        "description": description,
        "estimated_size": estimated_size,
    }
    errors: dict[str, list[str]] = {}
    _check_fields(operation, values, errors)
    if errors:
        raise ValidationError(errors)
    group = Group.objects.create(operation=operation, reference=new_reference("GR"), **values)
    audit.record(
        acting_user,
        "group.create",
        group,
        actor_username="system",
        changes={name: [None, value] for name, value in _readable(group).items() if value not in ("", None)},
    )
    return group


@transaction.atomic
def update_group(
    *, group: Group, acting_user: User | None, version: int, values: Mapping[str, Any], note: str = ""
) -> Group:
    """Correct the group: only the keys in `values` (of EDITABLE) change. `version` is the version the edit
    started from; if the group moved on since, GroupChangedMeanwhile says who changed what, and nothing is
    saved. Moving the group to another office needs person.register there too."""
    _require(acting_user, group)
    current = _locked(group)
    _refuse_dissolved(current)
    if current.version != version:
        raise GroupChangedMeanwhile(current, version, changes_since(current, version))
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in unknown})
    merged: dict[str, Any] = {name: getattr(current, name) for name in EDITABLE} | dict(values)
    if "site" in values and "admin_area" not in values and values["site"] is not None:
        merged["admin_area"] = None  # follow the new site's area
    errors: dict[str, list[str]] = {}
    _check_fields(current.operation, merged, errors)
    leaving_community = merged["kind"] != GroupKind.COMMUNITY and current.kind == GroupKind.COMMUNITY
    if leaving_community and current.household_links.filter(left_on__isnull=True).exists():
        errors.setdefault("kind", []).append(
            _("Households are counted in this community: end their links before it becomes another kind.")
        )
    new_office = merged["office"]
    moved = new_office != current.office and acting_user is not None and "office" not in errors
    if moved and not can(acting_user, "person.register", new_office or current.operation):
        errors.setdefault("office", []).append(_("You may not register people for this office."))
    if errors:
        raise ValidationError(errors)
    before = _readable(current)
    for name in EDITABLE:
        setattr(current, name, merged[name])
    changes: dict[str, Any] = audit.diff(before, _readable(current))
    if not changes:
        return current
    _bump(current, changes)
    current.save()
    audit.record(acting_user, "group.update", current, changes=changes, note=note)
    return current


@transaction.atomic
def dissolve_group(
    *, group: Group, acting_user: User | None, on: dt.date, reason: str, version: int | None = None
) -> Group:
    """The group no longer exists from `on`, for `reason`: every current membership and household link ends
    on that date (ended because the group was dissolved), and the group changes no more."""
    _require(acting_user, group)
    current = _locked(group)
    _refuse_dissolved(current)
    if version is not None and current.version != version:
        raise GroupChangedMeanwhile(current, version, changes_since(current, version))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the group was dissolved.")})
    memberships = list(current.memberships.filter(left_on__isnull=True))
    links = list(current.household_links.filter(left_on__isnull=True))
    latest = max([m.joined_on for m in memberships] + [h.joined_on for h in links], default=None)
    on = _date(on, "on", not_before=latest, what=_("a current member joined"))
    for membership in memberships:
        membership.left_on, membership.ended_because = on, MembershipEnd.GROUP_DISSOLVED
    for link in links:
        link.left_on, link.ended_because = on, MembershipEnd.GROUP_DISSOLVED
    GroupMembership.objects.bulk_update(memberships, ["left_on", "ended_because"])
    GroupHousehold.objects.bulk_update(links, ["left_on", "ended_because"])
    changes: dict[str, Any] = {
        "status": [current.status, GroupStatus.DISSOLVED.value],
        "dissolved_on": [None, on.isoformat()],
        "dissolution_reason": [None, reason],
    }
    if memberships:
        changes["members_ended"] = [None, len(memberships)]
    if links:
        changes["households_ended"] = [None, len(links)]
    current.status, current.dissolved_on, current.dissolution_reason = GroupStatus.DISSOLVED, on, reason
    _bump(current, changes)
    current.save(update_fields=["status", "dissolved_on", "dissolution_reason", "version", "updated_at"])
    audit.record(acting_user, "group.dissolve", current, changes=changes)
    return current


# --- members ------------------------------------------------------------------------------------------------


def _check_person(group: Group, person: Person, acting_user: User | None) -> None:
    if person.operation_id != group.operation_id or (
        acting_user is not None and not can(acting_user, "person.view", person)
    ):
        raise ValidationError({"person": _("No person with this registration number in this operation.")})
    if person.status != PersonStatus.ACTIVE:
        raise ValidationError(
            {
                "person": _("%(ref)s is %(status)s: only an active person can join a group.")
                % {"ref": person.reference, "status": person.get_status_display().lower()}
            }
        )


def _current_representative(group: Group) -> GroupMembership | None:
    return (
        group.memberships.filter(left_on__isnull=True, role=GroupRole.REPRESENTATIVE).select_related("person").first()
    )


@transaction.atomic
def add_member(
    *,
    group: Group,
    person: Person,
    acting_user: User | None,
    role: str = GroupRole.MEMBER,
    joined_on: dt.date | None = None,
    note: str = "",
) -> GroupMembership:
    """A registered person of the same operation joins the group in a role (from `joined_on`, today when not
    given). A group has at most one representative at a time: to replace them, use set_representative."""
    _require(acting_user, group)
    current = _locked(group)
    _refuse_dissolved(current)
    _check_person(current, person, acting_user)
    if role not in GroupRole.values:
        raise ValidationError({"role": _("Choose the person's role in the group.")})
    on = _date(joined_on, "joined_on")
    already = current.memberships.filter(person=person, left_on__isnull=True).first()
    if already is not None:
        raise ValidationError(
            {
                "person": _("%(ref)s is already a member (%(role)s since %(on)s).")
                % {"ref": person.reference, "role": already.get_role_display().lower(), "on": already.joined_on}
            }
        )
    if role == GroupRole.REPRESENTATIVE:
        representative = _current_representative(current)
        if representative is not None:
            raise ValidationError(
                {
                    "role": _("The group already has a representative (%(ref)s): change the representative instead.")
                    % {"ref": representative.person.reference}
                }
            )
    membership = GroupMembership.objects.create(
        group=current, person=person, role=role, joined_on=on, note=note.strip()
    )
    audit.record(
        acting_user,
        "group.member_added",
        current,
        changes={
            "members": [None, _describe_person(person)],
            "role": [None, role],
            "joined_on": [None, on.isoformat()],
        },
        note=note,
    )
    return membership


@transaction.atomic
def end_membership(
    *, membership: GroupMembership, acting_user: User | None, on: dt.date | None = None, note: str = ""
) -> GroupMembership:
    """The person left the group on `on` (today when not given). The membership is kept, ended."""
    group = membership.group
    _require(acting_user, group)
    current = _locked(group)
    _refuse_dissolved(current)
    membership = GroupMembership.objects.select_for_update(of=("self",)).select_related("person").get(pk=membership.pk)
    if membership.group_id != current.pk:
        raise ValidationError(_("This membership belongs to another group."))
    if membership.left_on is not None:
        raise ValidationError(_("This membership has already ended."))
    on = _date(on, "on", not_before=membership.joined_on, what=_("the person joined"))
    membership.left_on, membership.ended_because = on, MembershipEnd.LEFT
    if note.strip():
        membership.note = "\n".join(n for n in (membership.note, note.strip()) if n)
    membership.save(update_fields=["left_on", "ended_because", "note"])
    audit.record(
        acting_user,
        "group.member_left",
        current,
        changes={"members": [membership.person.reference, None], "role": [membership.role, None]},
        note=note,
    )
    return membership


def _change_role(membership: GroupMembership, role: str, on: dt.date) -> GroupMembership:
    """End the row and open a new one in `role` on the same day: the role each person held stays readable."""
    membership.left_on, membership.ended_because = on, MembershipEnd.ROLE_CHANGED
    membership.save(update_fields=["left_on", "ended_because"])
    return GroupMembership.objects.create(group=membership.group, person=membership.person, role=role, joined_on=on)


@transaction.atomic
def change_member_role(
    *, membership: GroupMembership, role: str, acting_user: User | None, on: dt.date | None = None, note: str = ""
) -> GroupMembership:
    """A current member takes another role from `on` (today when not given). The representative is changed
    with set_representative, which says what becomes of the former one."""
    group = membership.group
    _require(acting_user, group)
    current = _locked(group)
    _refuse_dissolved(current)
    membership = (
        GroupMembership.objects.select_for_update(of=("self",)).select_related("person", "group").get(pk=membership.pk)
    )
    if membership.left_on is not None or membership.group_id != current.pk:
        raise ValidationError(_("Only a current member's role can change."))
    if role not in GroupRole.values:
        raise ValidationError({"role": _("Choose the person's role in the group.")})
    if role == membership.role:
        raise ValidationError({"role": _("The person already has this role.")})
    if GroupRole.REPRESENTATIVE in (role, membership.role):
        raise ValidationError({"role": _("The representative is changed with “Change the representative”.")})
    on = _date(on, "on", not_before=membership.joined_on, what=_("the person took their current role"))
    changed = _change_role(membership, role, on)
    audit.record(
        acting_user,
        "group.member_role",
        current,
        changes={"member": [membership.person.reference, membership.person.reference], "role": [membership.role, role]},
        note=note,
    )
    return changed


@transaction.atomic
def set_representative(
    *,
    group: Group,
    person: Person,
    acting_user: User | None,
    on: dt.date | None = None,
    former_role: str = GroupRole.MEMBER,
    note: str = "",
) -> GroupMembership:
    """Make a current member the group's representative from `on` (today when not given). The former
    representative, if any, stays a member in `former_role`; a group has one representative at a time."""
    _require(acting_user, group)
    current = _locked(group)
    _refuse_dissolved(current)
    chosen = current.memberships.filter(person=person, left_on__isnull=True).select_related("person").first()
    if chosen is None:
        raise ValidationError({"person": _("Only a current member of the group can become its representative.")})
    if chosen.role == GroupRole.REPRESENTATIVE:
        raise ValidationError({"person": _("This person is already the representative.")})
    former = _current_representative(current)
    if former is not None and (former_role not in GroupRole.values or former_role == GroupRole.REPRESENTATIVE):
        raise ValidationError({"former_role": _("Say which role the former representative keeps.")})
    latest = max(chosen.joined_on, former.joined_on if former else chosen.joined_on)
    on = _date(on, "on", not_before=latest, what=_("their current roles began"))
    changes: dict[str, Any] = {"representative": [former.person.reference if former else None, person.reference]}
    if former is not None:
        _change_role(former, former_role, on)  # first, so that one representative at a time holds
        changes["former_representative_role"] = [GroupRole.REPRESENTATIVE.value, former_role]
    changes["new_representative_role"] = [chosen.role, GroupRole.REPRESENTATIVE.value]
    made = _change_role(chosen, GroupRole.REPRESENTATIVE, on)
    audit.record(acting_user, "group.representative", current, changes=changes, note=note)
    return made


# --- households (communities) ---------------------------------------------------------------------------------


@transaction.atomic
def add_household(
    *, group: Group, household: Household, acting_user: User | None, joined_on: dt.date | None = None, note: str = ""
) -> GroupHousehold:
    """A whole household is counted in a community from `joined_on` (today when not given)."""
    _require(acting_user, group)
    current = _locked(group)
    _refuse_dissolved(current)
    if current.kind != GroupKind.COMMUNITY:
        raise ValidationError({"household": _("Only a community counts whole households; add people as members.")})
    if household.operation_id != current.operation_id or (
        acting_user is not None and not can(acting_user, "person.view", household)
    ):
        raise ValidationError({"household": _("No household with this number in this operation.")})
    on = _date(joined_on, "joined_on")
    if current.household_links.filter(household=household, left_on__isnull=True).exists():
        raise ValidationError({"household": _("%(ref)s is already in this community.") % {"ref": household.reference}})
    link = GroupHousehold.objects.create(group=current, household=household, joined_on=on, note=note.strip())
    audit.record(
        acting_user,
        "group.household_added",
        current,
        changes={"households": [None, household.reference], "joined_on": [None, on.isoformat()]},
        note=note,
    )
    return link


@transaction.atomic
def end_household(
    *, link: GroupHousehold, acting_user: User | None, on: dt.date | None = None, note: str = ""
) -> GroupHousehold:
    """The household is no longer part of the community from `on` (today when not given); the link is kept."""
    group = link.group
    _require(acting_user, group)
    current = _locked(group)
    _refuse_dissolved(current)
    link = GroupHousehold.objects.select_for_update(of=("self",)).select_related("household").get(pk=link.pk)
    if link.group_id != current.pk:
        raise ValidationError(_("This household belongs to another group."))
    if link.left_on is not None:
        raise ValidationError(_("This household has already left the community."))
    on = _date(on, "on", not_before=link.joined_on, what=_("the household joined"))
    link.left_on, link.ended_because = on, MembershipEnd.LEFT
    if note.strip():
        link.note = "\n".join(n for n in (link.note, note.strip()) if n)
    link.save(update_fields=["left_on", "ended_because", "note"])
    audit.record(
        acting_user,
        "group.household_left",
        current,
        changes={"households": [link.household.reference, None]},
        note=note,
    )
    return link
