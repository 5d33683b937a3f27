"""Merging records found to be one person, and undoing a merge.

merge_people keeps one record (the survivor) and ends the others (status merged, merged_into the survivor):
the survivor takes, field by field, the value of the record the reviewer chose; it keeps the other records'
phones, documents and names where they add something; household and group memberships, consents, records
merged into them before, and whatever other apps registered (passage.matching.repoint) move onto it. All of
it in one transaction, against the versions the reviewer saw, with the pairs between them decided "same".

undo_merge puts back exactly what the merge changed. If someone changed the survivor afterwards in a field
the merge set, or changed a row it moved, undo refuses and names who changed what and when: putting the old
values back would silently throw their work away. Whoever undoes may then confirm, and the later changes are
kept as they are while everything else is put back (the undo's audit event lists what was kept). A record
merged again since (the survivor itself merged into another) is undone in the reverse order: the later merge
first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from passage.core import audit
from passage.core.access import can
from passage.core.models import User
from passage.matching.merge_fields import (
    CHOICE_KEYS,
    HOUSEHOLD,
    MAX_PEOPLE,
    MERGE_FIELDS,
    SURVIVOR_ATTRIBUTES,
    current_households,
    default_choices,
)
from passage.matching.models import (
    BulkDecision,
    CandidatePair,
    CheckState,
    Decision,
    PersonMerge,
    QualityCheck,
)
from passage.matching.repoint import RowChange, change_rows, column, move_rows, plain, repointers
from passage.registry.models import (
    Consent,
    GroupMembership,
    HouseholdMember,
    IdentityDocument,
    MembershipEnd,
    Person,
    PersonStatus,
    Phone,
    Relationship,
)
from passage.registry.names import search_names_of
from passage.registry.person_actions import PersonChangedMeanwhile, changes_since, field_label


class MergeRefused(ValidationError):
    """A merge or an undo that cannot be done, with the reason a person can read; nothing was changed."""


class UndoConflict(Exception):
    """Someone changed what the merge set after it; undoing would throw their changes away. Nothing changed."""

    def __init__(self, merge: PersonMerge, fields: list[str], rows: list[RowChange], changes: list[dict[str, Any]]):
        self.merge, self.fields, self.rows, self.changes = merge, fields, rows, changes
        super().__init__(self.message())

    def message(self) -> str:
        what = [str(field_label(name)) for name in self.fields]
        what += sorted({_row_label(change) for change in self.rows})
        who = "; ".join(
            _("%(by)s at %(at)s changed %(fields)s")
            % {
                "by": change["by"],
                "at": timezone.localtime(change["at"]).strftime("%Y-%m-%d %H:%M"),
                "fields": ", ".join(str(field_label(name)) for name in change["fields"]) or _("the record"),
            }
            for change in self.changes
        )
        return _(
            "%(ref)s was changed after the merge (%(what)s)%(who)s. Undoing would put the values from before the "
            "merge back over those changes. Check them, or undo anyway and keep the later changes as they are."
        ) % {
            "ref": self.merge.survivor.reference,
            "what": ", ".join(what),
            "who": (": " + who) if who else "",
        }


def _row_label(change: RowChange) -> str:
    return str(change.model_class._meta.verbose_name)


# --- checks -------------------------------------------------------------------------------------------------


def _require_merger(user: User | None, people: Iterable[Person]) -> None:
    if user is None:
        return
    people = list(people)
    visible = set(Person.objects.visible_to(user).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True))
    for person in people:
        if person.pk not in visible or not can(user, "person.merge", person):
            raise PermissionDenied("person.merge")


def pairs_between(people: Iterable[Person]) -> Any:
    ids = [p.pk for p in people]
    return CandidatePair.objects.filter(person_a_id__in=ids, person_b_id__in=ids)


def refuse_own_checks(user: User | None, pairs: Any) -> None:
    """A pair set aside by a bulk decision is for another person to decide."""
    if user is None:
        return
    own = QualityCheck.objects.filter(pair__in=pairs, state=CheckState.TO_CHECK, bulk__started_by=user)
    if own.exists():
        raise MergeRefused(
            _("You set this pair aside in your bulk decision for a quality check: another person must decide it.")
        )


def settle_checks(
    user: User | None, pairs: Iterable[CandidatePair], decision: str, now: dt.datetime | None = None
) -> list[str]:
    """Pairs set aside for a check are checked now: confirmed if the decision is the bulk decision's."""
    settled = []
    now = now or timezone.now()
    checks = QualityCheck.objects.select_for_update(of=("self",)).select_related("bulk")
    for check in checks.filter(pair__in=[p.pk for p in pairs], state=CheckState.TO_CHECK):
        check.state = CheckState.CONFIRMED if decision == check.bulk.decision else CheckState.OVERRULED
        check.checked_by, check.checked_at, check.decision = user, now, decision
        check.save(update_fields=["state", "checked_by", "checked_at", "decision"])
        audit.record(
            user,
            "matching.check.settle",
            check,
            operation_id=check.bulk.operation_id,
            changes={"state": [CheckState.TO_CHECK.value, check.state], "decision": [None, decision]},
        )
        settled.append(str(check.pk))
    return settled


# --- merge --------------------------------------------------------------------------------------------------


@transaction.atomic
def merge_people(
    *,
    acting_user: User | None,
    survivor: Person,
    merged: list[Person],
    choices: Mapping[str, Any] | None = None,
    versions: Mapping[Any, int] | None = None,
    note: str = "",
    bulk: BulkDecision | None = None,
) -> PersonMerge:
    """Merge `merged` into `survivor`. `choices` maps a field (MERGE_FIELDS keys, and "household") to the id of
    the record whose value survives (the rest as default_choices has them); `versions` maps each person's id to
    the version the reviewer saw: a record changed since is refused with who changed what."""
    ids = [survivor.pk, *(p.pk for p in merged)]
    if not merged:
        raise MergeRefused({"merged": [_("Choose at least one record to merge into the one kept.")]})
    if len(set(ids)) != len(ids):
        raise MergeRefused({"merged": [_("A record appears twice, or is both kept and merged.")]})
    if len(ids) > MAX_PEOPLE:
        raise MergeRefused({"merged": [_("Merge at most %(n)s records at once.") % {"n": MAX_PEOPLE}]})
    _require_merger(acting_user, [survivor, *merged])
    locked = {
        p.pk: p
        for p in Person.objects.select_for_update(of=("self",))
        .select_related("operation")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    if len(locked) != len(ids):
        raise MergeRefused(_("One of these records no longer exists."))
    survivor, merged = locked[survivor.pk], [locked[p.pk] for p in merged]
    everyone = [survivor, *merged]
    if len({p.operation_id for p in everyone}) > 1:
        raise MergeRefused(_("Records of different operations cannot be merged."))
    for person in everyone:
        if person.status == PersonStatus.MERGED:
            raise MergeRefused(
                _("%(ref)s was merged into another record already.") % {"ref": person.reference},
            )
        seen = (versions or {}).get(person.pk, (versions or {}).get(str(person.pk)))
        if seen is not None and int(seen) != person.version:
            raise PersonChangedMeanwhile(person, int(seen), changes_since(person, int(seen)))
    chosen = _checked_choices(survivor, merged, choices or {})
    by_id = {str(pk): person for pk, person in locked.items()}
    pairs = list(pairs_between(everyone).select_for_update())
    refuse_own_checks(acting_user, pairs)

    now, today = timezone.now(), timezone.localdate()
    before = _snapshot(survivor)
    for field in MERGE_FIELDS:
        source = by_id[chosen[field.key]]
        for name in field.attributes:
            setattr(survivor, name, getattr(source, name))
    survivor.other_names = _other_names(survivor, before, merged)
    after = _snapshot(survivor)

    rows: list[RowChange] = []
    warnings: list[dict[str, str]] = []
    rows += _households(survivor, merged, by_id[chosen[HOUSEHOLD]], today, warnings)
    rows += _phones_and_documents(survivor, merged)
    rows += _groups(survivor, merged, today)
    for person in merged:
        rows += move_rows(Consent.objects.filter(person=person), "person", survivor)
        rows += move_rows(Person.objects.filter(merged_into=person), "merged_into", survivor)
        for _name, repointer in repointers():
            rows += repointer(merged=person, survivor=survivor)
    for person in merged:
        rows += change_rows(
            Person.objects.filter(pk=person.pk),
            status=PersonStatus.MERGED.value,
            merged_into_id=survivor.pk,
            status_on=today,
            status_reason=_("Merged into %(ref)s") % {"ref": survivor.reference},
        )
        Person.objects.filter(pk=person.pk).update(version=F("version") + 1, updated_at=now)

    changes: dict[str, Any] = audit.diff(before, after)
    survivor.search_names = search_names_of(survivor)
    changes["version"] = [survivor.version, survivor.version + 1]
    survivor.version += 1
    survivor.save(update_fields=[*SURVIVOR_ATTRIBUTES, "search_names", "version", "updated_at"])

    decided = _decide_same(acting_user, pairs, now)
    settle_checks(acting_user, pairs, Decision.SAME, now)
    merge = PersonMerge.objects.create(
        operation_id=survivor.operation_id,
        survivor=survivor,
        choices=chosen,
        survivor_before=before,
        survivor_after=after,
        survivor_version=survivor.version,
        rows=[row.to_json() for row in rows],
        pairs=decided,
        warnings=warnings,
        bulk=bulk,
        note=note.strip(),
        merged_by=acting_user,
        merged_at=now,
    )
    merge.merged.set(merged)
    references = [p.reference for p in merged]
    moved = _moved_counts(rows)
    audit.record(
        acting_user,
        "matching.merge",
        merge,
        actor_username="system",
        changes={"survivor": [None, survivor.reference], "merged": [None, references], "moved": [None, moved]},
        note=note,
    )
    audit.record(
        acting_user,
        "person.merge",
        survivor,
        actor_username="system",
        changes={**changes, "merged": [None, references]},
        note=note,
    )
    for person in merged:
        audit.record(
            acting_user,
            "person.merged",
            person,
            actor_username="system",
            changes={
                "status": [person.status, PersonStatus.MERGED.value],
                "merged_into": [None, survivor.reference],
                "version": [person.version, person.version + 1],
            },
            note=note,
        )
    return merge


def _checked_choices(survivor: Person, merged: list[Person], given: Mapping[str, Any]) -> dict[str, str]:
    chosen = default_choices(survivor, merged)
    allowed = {str(p.pk) for p in [survivor, *merged]}
    errors: dict[str, list[str]] = {}
    for key, value in given.items():
        if key not in CHOICE_KEYS:
            errors[key] = [_("There is no such field to choose.")]
        elif str(value) not in allowed:
            errors[key] = [_("Choose the value of one of the records being merged.")]
        else:
            chosen[key] = str(value)
    if errors:
        raise MergeRefused(errors)
    return chosen


def _snapshot(person: Person) -> dict[str, Any]:
    return {name: plain(getattr(person, name)) for name in SURVIVOR_ATTRIBUTES}


def _other_names(survivor: Person, before: Mapping[str, Any], merged: list[Person]) -> list[str]:
    """The survivor's other names, and every name the records were known by that it does not already carry."""
    names = list(before["other_names"] or [])
    known = {n.casefold() for n in names} | {
        n.casefold() for n in (survivor.display_name, survivor.display_name_latin) if n
    }
    earlier = Person(**{name: before[name] for name in SURVIVOR_ATTRIBUTES if name.endswith(("name", "name_latin"))})
    for record in [earlier, *merged]:
        for name in (record.display_name, record.display_name_latin, *(record.other_names or [])):
            name = (name or "").strip()
            if name and name.casefold() not in known:
                names.append(name)
                known.add(name.casefold())
    return names


def _households(
    survivor: Person, merged: list[Person], keeper: Person, today: Any, warnings: list[dict[str, str]]
) -> list[RowChange]:
    """The survivor stays in one current household (the chosen record's); the others' current memberships end
    today. Every membership of the merged records moves onto the survivor, as its history."""
    rows: list[RowChange] = []
    current = current_households([survivor, *merged])
    kept = current.get(keeper.pk) or current.get(survivor.pk) or next(iter(current.values()), None)
    for member in current.values():
        if kept is None or member.pk == kept.pk:
            continue
        rows += change_rows(HouseholdMember.objects.filter(pk=member.pk), left_on=today)
        others = member.household.members.filter(left_on__isnull=True).exclude(pk=member.pk)
        if member.relationship == Relationship.HEAD and others.exists():
            warnings.append(
                {
                    "kind": "household_without_head",
                    "household": str(member.household_id),
                    "reference": member.household.reference,
                }
            )
    for person in merged:
        rows += move_rows(HouseholdMember.objects.filter(person=person), "person", survivor)
    return rows


def _phones_and_documents(survivor: Person, merged: list[Person]) -> list[RowChange]:
    """The merged records' phones and documents the survivor does not carry move onto it (a phone the survivor
    has already stays where it was, as history); a moved phone is not primary if the survivor has one."""
    rows: list[RowChange] = []
    phones = set(Phone.objects.filter(person=survivor).values_list("number_index", flat=True))
    primary = Phone.objects.filter(person=survivor, is_primary=True).exists()
    documents = set(IdentityDocument.objects.filter(person=survivor).values_list("number_index", flat=True))
    for person in merged:
        for phone in Phone.objects.filter(person=person).order_by("-is_primary", "id"):
            if phone.number_index in phones:
                continue
            values: dict[str, Any] = {"person_id": survivor.pk}
            if primary and phone.is_primary:
                values["is_primary"] = False
            rows += change_rows(Phone.objects.filter(pk=phone.pk), **values)
            phones.add(phone.number_index)
            primary = primary or phone.is_primary
        for document in IdentityDocument.objects.filter(person=person).order_by("id"):
            if document.number_index in documents:
                continue
            rows += move_rows(IdentityDocument.objects.filter(pk=document.pk), "person", survivor)
            documents.add(document.number_index)
    return rows


def _groups(survivor: Person, merged: list[Person], today: Any) -> list[RowChange]:
    """Group memberships move onto the survivor; where it is a current member already, the merged record's
    current membership of the same group ends today first."""
    rows: list[RowChange] = []
    current = set(
        GroupMembership.objects.filter(person=survivor, left_on__isnull=True).values_list("group_id", flat=True)
    )
    for person in merged:
        for member in GroupMembership.objects.filter(person=person, left_on__isnull=True).order_by("id"):
            if member.group_id in current:
                rows += change_rows(
                    GroupMembership.objects.filter(pk=member.pk),
                    left_on=max(today, member.joined_on),
                    ended_because=MembershipEnd.LEFT.value,
                )
            current.add(member.group_id)
        rows += move_rows(GroupMembership.objects.filter(person=person), "person", survivor)
    return rows


def _decide_same(user: User | None, pairs: list[CandidatePair], now: Any) -> list[dict[str, Any]]:
    decided = []
    for pair in pairs:
        decided.append(
            {
                "id": str(pair.pk),
                "decision": pair.decision,
                "by": plain(pair.decided_by_id),
                "at": plain(pair.decided_at),
            }
        )
        before = pair.decision
        pair.decision, pair.decided_by, pair.decided_at = Decision.SAME, user, now
        pair.save(update_fields=["decision", "decided_by", "decided_at"])
        audit.record(
            user,
            "matching.pair.decide",
            pair,
            actor_username="system",
            changes={"decision": [before, Decision.SAME.value]},
            note=_("Merged"),
        )
    return decided


def _moved_counts(rows: list[RowChange]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.model] = counts.get(row.model, 0) + 1
    return counts


# --- undo ---------------------------------------------------------------------------------------------------


@transaction.atomic
def undo_merge(
    *, acting_user: User | None, merge: PersonMerge, keep_later_changes: bool = False, note: str = ""
) -> PersonMerge:
    """Put back what `merge` changed. Raises UndoConflict when someone changed the survivor (in a field the
    merge set) or a moved row since, unless `keep_later_changes`: then those stay as they are now."""
    merge = PersonMerge.objects.select_for_update(of=("self",)).select_related("survivor").get(pk=merge.pk)
    merged = list(merge.merged.order_by("pk"))
    _require_merger(acting_user, [merge.survivor, *merged])
    if merge.is_undone:
        raise MergeRefused(_("This merge was undone already."))
    ids = [merge.survivor_id, *(p.pk for p in merged)]
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    survivor = locked[merge.survivor_id]
    if survivor.status == PersonStatus.MERGED:
        later = PersonMerge.objects.filter(merged=survivor, undone_at__isnull=True).first()
        raise MergeRefused(
            _("%(ref)s was itself merged into %(into)s since: undo that merge first.")
            % {"ref": survivor.reference, "into": later.survivor.reference if later else _("another record")}
        )
    # Only what the merge changed is put back; of that, what someone changed since is a conflict.
    set_fields = [name for name, value in merge.survivor_after.items() if merge.survivor_before.get(name) != value]
    fields = [name for name in set_fields if plain(getattr(survivor, name)) != merge.survivor_after[name]]
    rows = [RowChange.from_json(row) for row in merge.rows]
    changed_rows = {index: row.changed_since() for index, row in enumerate(rows)}
    changed_rows = {index: columns for index, columns in changed_rows.items() if columns}
    if (fields or changed_rows) and not keep_later_changes:
        since = changes_since(survivor, merge.survivor_version)
        raise UndoConflict(merge, fields, [rows[index] for index in changed_rows], since)

    before = _snapshot(survivor)
    for name in set_fields:
        if name not in fields:
            setattr(survivor, name, column(Person, name).to_python(merge.survivor_before[name]))
    try:
        with transaction.atomic():
            for index in reversed(range(len(rows))):
                if index not in changed_rows:
                    rows[index].restore()
    except IntegrityError as exc:
        raise MergeRefused(
            _("The records cannot be put back as they were (%(reason)s). Nothing was changed.") % {"reason": exc}
        ) from exc
    kept: list[dict[str, Any]] = [{"field": name} for name in fields]
    kept += [
        {"model": rows[index].model, "pk": rows[index].pk, "columns": cols} for index, cols in changed_rows.items()
    ]
    now = timezone.now()
    for person in merged:
        Person.objects.filter(pk=person.pk).update(version=F("version") + 1, updated_at=now)
    changes: dict[str, Any] = audit.diff(before, _snapshot(survivor))
    survivor.search_names = search_names_of(survivor)
    changes["version"] = [survivor.version, survivor.version + 1]
    survivor.version += 1
    survivor.save(update_fields=[*SURVIVOR_ATTRIBUTES, "search_names", "version", "updated_at"])
    _reopen_pairs(acting_user, merge)
    merge.undone_by, merge.undone_at, merge.undo_note, merge.undo_kept = acting_user, now, note.strip(), kept
    merge.save(update_fields=["undone_by", "undone_at", "undo_note", "undo_kept"])
    references = [p.reference for p in merged]
    audit.record(
        acting_user,
        "matching.merge.undo",
        merge,
        actor_username="system",
        changes={"merged": [references, None], "kept": [None, kept] if kept else [None, []]},
        note=note,
    )
    audit.record(
        acting_user,
        "person.merge_undone",
        survivor,
        actor_username="system",
        changes={**changes, "merged": [references, None]},
        note=note,
    )
    for person in merged:
        audit.record(
            acting_user,
            "person.merge_undone",
            person,
            actor_username="system",
            changes={
                "status": [PersonStatus.MERGED.value, person.status],
                "merged_into": [survivor.reference, None],
                "version": [person.version, person.version + 1],
            },
            note=note,
        )
    return merge


def _reopen_pairs(user: User | None, merge: PersonMerge) -> None:
    """Pairs the merge decided go back to their decision before it (unless decided again since); a quality
    check the merge settled waits for a second person again."""
    for item in merge.pairs:
        pair = (
            CandidatePair.objects.select_for_update()
            .filter(pk=item["id"], decision=Decision.SAME, decided_at=merge.merged_at)
            .first()
        )
        if pair is None:
            continue
        pair.decision = item["decision"]
        pair.decided_by_id = item["by"]
        pair.decided_at = parse_datetime(item["at"]) if item["at"] else None
        pair.save(update_fields=["decision", "decided_by", "decided_at"])
        audit.record(
            user,
            "matching.pair.decide",
            pair,
            actor_username="system",
            changes={"decision": [Decision.SAME.value, pair.decision]},
            note=_("Merge undone"),
        )
        QualityCheck.objects.filter(Q(pair=pair) & ~Q(state=CheckState.TO_CHECK), checked_at=merge.merged_at).update(
            state=CheckState.TO_CHECK, checked_by=None, checked_at=None, decision=""
        )
