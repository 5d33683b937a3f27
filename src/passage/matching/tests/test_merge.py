"""Merging duplicates and undoing merges, through the actions: values chosen field by field, what hangs off the
merged record moved onto the survivor, undo putting back exactly what was, later changes never thrown away
silently, and who may do it (data officers of the operation, within their offices)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from passage.core.models import AuditEvent
from passage.core.tests.factories import OfficeFactory, member_of
from passage.matching.actions import decide_pair
from passage.matching.merge_actions import MergeRefused, UndoConflict, default_choices, merge_people, undo_merge
from passage.matching.models import CandidatePair, PersonMerge
from passage.matching.repoint import move_rows, register_repointer, repointers
from passage.matching.tests.review_world import build_review, head, pair_of, single
from passage.registry.group_actions import add_member, create_group
from passage.registry.models import (
    AdminArea,
    Consent,
    GroupMembership,
    HouseholdMember,
    IdentityDocument,
    Person,
    Phone,
    RegistrationImport,
    StagedRow,
)
from passage.registry.person_actions import PersonChangedMeanwhile, update_person
from passage.registry.queries import search_people


@pytest.fixture
def office(operation):
    return OfficeFactory(operation=operation)


@pytest.fixture
def world(operation, office):
    return build_review(operation, office)


@pytest.fixture
def officer(operation):
    return member_of(operation, "data_officer")


def _state(*people: Person) -> dict[str, Any]:
    """Everything a merge may touch about these people, as stored."""
    ids = [p.pk for p in people]
    skip = {"version", "updated_at"}
    persons = {
        str(row["id"]): {k: v for k, v in row.items() if k not in skip}
        for row in Person.objects.filter(pk__in=ids).values()
    }
    return {
        "people": persons,
        "households": sorted(
            HouseholdMember.objects.filter(person_id__in=ids).values_list("id", "person_id", "left_on")
        ),
        "phones": sorted(Phone.objects.filter(person_id__in=ids).values_list("id", "person_id", "is_primary")),
        "documents": sorted(IdentityDocument.objects.filter(person_id__in=ids).values_list("id", "person_id")),
        "consents": sorted(Consent.objects.filter(person_id__in=ids).values_list("id", "person_id")),
        "groups": sorted(
            GroupMembership.objects.filter(person_id__in=ids).values_list("id", "person_id", "left_on", "ended_because")
        ),
        "pairs": sorted(CandidatePair.objects.values_list("id", "decision", "decided_by_id", "decided_at")),
    }


def test_a_merge_takes_the_chosen_values_and_moves_what_hangs_off_the_merged_record(world, officer):
    father, again = world.father, world.again
    choices = {"given_name": again.pk, "birth_date": father.pk, "nationalities": again.pk}
    merge = merge_people(
        acting_user=officer,
        survivor=father,
        merged=[again],
        choices=choices,
        versions={father.pk: 1, again.pk: 1},
        note="Same passport holder",
    )
    father.refresh_from_db()
    again.refresh_from_db()
    # Values: the Arabic given name chosen, Latin given name kept; what the survivor lacked taken from the other.
    assert (father.given_name, father.given_name_latin) == ("محمد", "Mohammed")
    assert father.birth_date == dt.date(1985, 3, 17) and father.birth_date_precision == "day"
    assert father.nationalities == ["IQ"] and father.marital_status == "married"
    assert father.family_name == "الجبوري" and father.father_name_latin == "Abdulrahman"
    assert father.other_names == []  # every name of the other record is now the survivor's own
    assert father.version == 2 and again.version == 2
    # The merged record points at the survivor and stays, closed.
    assert (again.status, again.merged_into_id) == ("merged", father.pk)
    assert again.status_reason == f"Merged into {father.reference}"
    # Its phone (another number) and consents moved; its household membership moved and ended (the survivor
    # stays in his own household); the son stays where he is.
    assert sorted(father.phones.values_list("is_primary", flat=True)) == [False, True]
    assert not again.phones.exists() and again.consents.count() == 0 and father.consents.count() == 2
    moved = HouseholdMember.objects.get(household=world.alone)
    assert moved.person_id == father.pk and moved.left_on == timezone.localdate()
    assert HouseholdMember.objects.get(person=father, left_on__isnull=True).household == world.family
    # The pair is decided, by whom; the merge keeps its note and who merged; every step is audited.
    world.pair.refresh_from_db()
    assert (world.pair.decision, world.pair.decided_by) == ("same", officer)
    assert merge.merged_by == officer and list(merge.merged.all()) == [again] and merge.note == "Same passport holder"
    actions = set(AuditEvent.objects.filter(actor_id=officer.pk).values_list("action", flat=True))
    assert {"matching.merge", "person.merge", "person.merged", "matching.pair.decide"} <= actions
    event = AuditEvent.objects.get(action="person.merge", object_id=str(father.pk))
    assert event.changes["given_name"] == ["", "محمد"] and event.changes["version"] == [1, 2]


def test_merged_people_leave_search_and_lists(world, officer, operation):
    assert search_people(officer, operation, "الجبوري").filter(pk=world.again.pk).exists()
    merge_people(acting_user=officer, survivor=world.father, merged=[world.again])
    assert not search_people(officer, operation, "الجبوري").filter(pk=world.again.pk).exists()
    assert search_people(officer, operation, "الجبوري").filter(pk=world.father.pk).exists()
    assert not search_people(officer, operation, "").filter(status="merged").exists()


def test_undo_puts_back_exactly_what_was(world, officer, operation, office):
    area = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    group = create_group(
        acting_user=None, operation=operation, office=office, kind="community", name="Sinjar", admin_area=area
    )
    add_member(group=group, person=world.father, acting_user=None)
    add_member(group=group, person=world.again, acting_user=None, role="treasurer")
    third = single(operation, head("Mohamad", "Jubouri", dt.date(1985, 3, 17), "0770 123 4567"), office)
    pair_of(world.again, third, 0.93)
    before = _state(world.father, world.again, world.son, third)
    merge = merge_people(
        acting_user=officer,
        survivor=world.father,
        merged=[world.again, third],
        choices={"given_name": world.again.pk, "household": world.again.pk},
    )
    assert "Mohamad Jubouri" in Person.objects.get(pk=world.father.pk).other_names
    # The chosen household is the Arabic record's: the survivor's own membership ended, its head gone.
    assert HouseholdMember.objects.get(person=world.father, left_on__isnull=True).household == world.alone
    assert merge.warnings == [
        {"kind": "household_without_head", "household": str(world.family.pk), "reference": world.family.reference}
    ]
    # The group: one current membership for the survivor, the merged one's ended.
    current = GroupMembership.objects.filter(person=world.father, left_on__isnull=True)
    assert current.count() == 1 and GroupMembership.objects.filter(person=world.father).count() == 2
    assert CandidatePair.objects.filter(decision="same").count() == 2
    undo_merge(acting_user=officer, merge=merge, note="Two brothers after all")
    assert _state(world.father, world.again, world.son, third) == before
    merge.refresh_from_db()
    assert merge.is_undone and merge.undone_by == officer and merge.undo_kept == []
    assert {p.version for p in Person.objects.filter(pk__in=[world.father.pk, world.again.pk, third.pk])} == {3}
    assert AuditEvent.objects.filter(action="matching.merge.undo", object_id=str(merge.pk)).exists()
    assert AuditEvent.objects.filter(action="person.merge_undone").count() == 3
    with pytest.raises(MergeRefused, match="undone already"):
        undo_merge(acting_user=officer, merge=merge)


def test_undo_refuses_over_a_later_correction_and_names_who_made_it(world, officer, operation):
    clerk = member_of(operation, "registration_clerk")
    merge = merge_people(acting_user=officer, survivor=world.father, merged=[world.again])
    father = Person.objects.get(pk=world.father.pk)
    update_person(person=father, acting_user=clerk, version=father.version, values={"family_name": "الجبوري الصغير"})
    with pytest.raises(UndoConflict) as conflict:
        undo_merge(acting_user=officer, merge=merge)
    message = str(conflict.value)
    assert clerk.username in message and "family name" in message
    assert Person.objects.get(pk=world.again.pk).status == "merged"  # nothing changed
    # Confirmed: the correction stays, everything else goes back.
    undo_merge(acting_user=officer, merge=merge, keep_later_changes=True)
    father.refresh_from_db()
    again = Person.objects.get(pk=world.again.pk)
    assert father.family_name == "الجبوري الصغير" and father.given_name == "" and father.nationalities == []
    assert again.status == "active" and again.merged_into is None and again.phones.count() == 1
    merge.refresh_from_db()
    assert merge.undo_kept == [{"field": "family_name"}]


def test_a_later_merge_of_the_survivor_is_undone_first(world, officer, operation):
    first = merge_people(acting_user=officer, survivor=world.father, merged=[world.again])
    other = single(operation, head("Muhammad", "Jubouri", dt.date(1985, 3, 17), "0770 999 1111"))
    second = merge_people(acting_user=officer, survivor=other, merged=[world.father])
    assert Person.objects.get(pk=world.again.pk).merged_into_id == other.pk  # pointed at the last survivor
    with pytest.raises(MergeRefused, match="undo that merge first"):
        undo_merge(acting_user=officer, merge=first)
    undo_merge(acting_user=officer, merge=second)
    assert Person.objects.get(pk=world.again.pk).merged_into_id == world.father.pk
    undo_merge(acting_user=officer, merge=first)
    assert Person.objects.get(pk=world.again.pk).status == "active"


def test_a_record_changed_since_the_reviewer_looked_is_not_merged(world, officer, operation):
    clerk = member_of(operation, "registration_clerk")
    update_person(person=world.again, acting_user=clerk, version=1, values={"given_name_latin": "Mohamed"})
    with pytest.raises(PersonChangedMeanwhile, match=clerk.username):
        merge_people(acting_user=officer, survivor=world.father, merged=[world.again], versions={world.again.pk: 1})
    assert not PersonMerge.objects.exists() and Person.objects.get(pk=world.again.pk).status == "active"


def test_bad_merges_are_refused_with_the_reason(world, officer, other_operation):
    with pytest.raises(MergeRefused, match="at least one"):
        merge_people(acting_user=officer, survivor=world.father, merged=[])
    with pytest.raises(MergeRefused, match="twice"):
        merge_people(acting_user=officer, survivor=world.father, merged=[world.father])
    with pytest.raises(MergeRefused) as refused:
        merge_people(acting_user=officer, survivor=world.father, merged=[world.again], choices={"eye_colour": "x"})
    assert "eye_colour" in refused.value.message_dict
    with pytest.raises(MergeRefused) as refused:
        merge_people(acting_user=officer, survivor=world.father, merged=[world.again], choices={"sex": world.son.pk})
    assert "sex" in refused.value.message_dict
    merge_people(acting_user=officer, survivor=world.father, merged=[world.again])
    with pytest.raises(MergeRefused, match="merged into another record already"):
        merge_people(acting_user=officer, survivor=world.son, merged=[world.again])


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("data_officer", True),
        ("administrator", True),
        ("registration_clerk", False),
        ("data_protection_officer", False),
        ("outsider", False),
        ("officer_of_the_office", True),
        ("officer_of_another_office", False),
    ],
)
def test_who_may_merge_and_undo(world, operation, other_operation, office, persona, allowed):
    if persona == "outsider":
        user = member_of(other_operation, "data_officer")
    elif persona == "officer_of_the_office":
        user = member_of(operation, "data_officer", offices=[office])
    elif persona == "officer_of_another_office":
        user = member_of(operation, "data_officer", offices=[OfficeFactory(operation=operation)])
    else:
        user = member_of(operation, persona)
    if not allowed:
        with pytest.raises(PermissionDenied):
            merge_people(acting_user=user, survivor=world.father, merged=[world.again])
        with pytest.raises(PermissionDenied):
            decide_pair(acting_user=user, pair=world.pair, decision="different")
        assert not PersonMerge.objects.exists()
        merge = merge_people(acting_user=None, survivor=world.father, merged=[world.again])
        with pytest.raises(PermissionDenied):
            undo_merge(acting_user=user, merge=merge)
        assert not PersonMerge.objects.get().is_undone
        return
    merge = merge_people(acting_user=user, survivor=world.father, merged=[world.again])
    undo_merge(acting_user=user, merge=merge)
    decide_pair(acting_user=user, pair=world.pair, decision="unsure", note="ask the field office")
    assert AuditEvent.objects.filter(action="matching.pair.decide", note="ask the field office").exists()


def test_other_apps_register_what_they_move_and_undo_moves_it_back(world, officer, operation):
    """A module that keeps rows about people (here the staged rows of an import, standing in for cases or
    claims) registers a repointer; the merge moves its rows and undo moves them back."""
    staged_import = RegistrationImport.objects.create(operation=operation, file="x.csv", filename="x.csv")
    row = StagedRow.objects.create(registration_import=staged_import, row_number=2, person=world.again)

    def staged_rows(*, merged: Person, survivor: Person) -> list[Any]:
        return move_rows(StagedRow.objects.filter(person=merged), "person", survivor)

    register_repointer("test.staged_rows", staged_rows)
    try:
        assert ("test.staged_rows", staged_rows) in repointers()
        merge = merge_people(acting_user=officer, survivor=world.father, merged=[world.again])
        row.refresh_from_db()
        assert row.person_id == world.father.pk
        assert {"model": "registry.stagedrow", "pk": str(row.pk)}.items() <= merge.rows[-2].items()
        undo_merge(acting_user=officer, merge=merge)
        row.refresh_from_db()
        assert row.person_id == world.again.pk
    finally:
        from passage.matching import repoint

        repoint._REPOINTERS.pop("test.staged_rows", None)


def test_default_choices_fill_what_the_survivor_lacks(world):
    choices = default_choices(world.father, [world.again])
    assert choices["given_name_latin"] == str(world.father.pk)
    assert choices["given_name"] == str(world.again.pk)  # the survivor has no name in Arabic script
    assert choices["marital_status"] == str(world.again.pk)  # "unknown" is no value
    assert choices["household"] == str(world.father.pk)
