"""Who sees what: operations, programme- and office-limited roles, outsiders."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from passage.core import access
from passage.core.models import Office, Operation, Programme
from passage.core.tests.factories import OfficeFactory, ProgrammeFactory, UserFactory, member_of


def test_members_see_their_operation_and_outsiders_do_not(caseworker, outsider, operation, other_operation):
    assert list(Operation.objects.visible_to(caseworker)) == [operation]
    assert list(Operation.objects.visible_to(outsider)) == [other_operation]
    with pytest.raises(Http404):
        access.get_operation_for_user(outsider, operation.pk)


def test_a_role_limited_to_one_programme_sees_only_that_programme(operation):
    seen, hidden = ProgrammeFactory(operation=operation), ProgrammeFactory(operation=operation)
    officer = member_of(operation, "claims_officer", programmes=[seen])
    assert list(Programme.objects.visible_to(officer)) == [seen]
    assert access.get_programme_for_user(officer, seen.pk) == seen
    with pytest.raises(Http404):
        access.get_programme_for_user(officer, hidden.pk)


def test_a_role_limited_to_one_office_sees_only_that_office(operation):
    erbil, mosul = OfficeFactory(operation=operation), OfficeFactory(operation=operation)
    clerk = member_of(operation, "registration_clerk", offices=[erbil])
    assert list(Office.objects.visible_to(clerk)) == [erbil]
    assert access.can(clerk, "operation.view", erbil)
    assert not access.can(clerk, "operation.view", mosul)


def test_two_roles_add_up(operation):
    prog = ProgrammeFactory(operation=operation)
    user = member_of(operation, "caseworker", programmes=[prog])
    member_of(operation, "administrator", user=user)
    assert access.can(user, "user.manage", operation)
    ProgrammeFactory(operation=operation)
    assert set(Programme.objects.visible_to(user)) == set(Programme.objects.filter(operation=operation))


def test_revoked_role_no_longer_counts(operation, administrator):
    from passage.core import actions

    user = member_of(operation, "caseworker")
    membership = user.memberships.get()
    actions.revoke_membership(membership=membership, acting_user=administrator)
    assert not access.can(user, "operation.view", operation)
    assert list(Operation.objects.visible_to(user)) == []


def test_require_answers_403_for_a_page_not_for_the_role(caseworker, operation):
    with pytest.raises(PermissionDenied):
        access.require(caseworker, "user.manage", operation)


def test_malformed_and_unknown_ids_are_404(caseworker):
    for bad in ("not-a-uuid", uuid.uuid4(), None, "' OR 1=1 --"):
        with pytest.raises(Http404):
            access.get_programme_for_user(caseworker, bad)


def test_two_factor_required_for_administrators_and_dpos(administrator, dpo, caseworker):
    assert access.requires_two_factor(administrator)
    assert access.requires_two_factor(dpo)
    assert not access.requires_two_factor(caseworker)
    assert not access.requires_two_factor(UserFactory())


def test_seeded_roles_match_the_defaults_in_code(db):
    """Migrations seed the roles; roles.py states them. The two must not drift apart."""
    from passage.core.models import Role
    from passage.core.roles import DEFAULT_ROLES, PERMISSIONS

    stored = {role.code: role.permission_codes for role in Role.objects.prefetch_related("grants")}
    assert stored == {default.code: set(default.permissions) for default in DEFAULT_ROLES}
    assert set().union(*stored.values()) <= set(PERMISSIONS)
