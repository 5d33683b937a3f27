"""Core actions: operations, offices, programmes, users and roles, tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from passage.core import actions
from passage.core.actions.tokens import authenticate_token
from passage.core.models import AuditEvent, Membership, Role
from passage.core.tests.factories import OfficeFactory, ProgrammeFactory, UserFactory


def test_administrator_creates_a_programme(administrator, operation):
    programme = actions.create_programme(
        operation=operation,
        acting_user=administrator,
        code="avrr",
        name="Return",
        type="return_reintegration",
        start_date=dt.date(2026, 1, 1),
        donors=[" EU ", ""],
    )
    assert programme.donors == ["EU"]
    event = AuditEvent.objects.get(action="programme.create")
    assert event.object_id == str(programme.pk) and event.operation_id == operation.pk


def test_programme_dates_and_codes_are_checked(administrator, operation):
    with pytest.raises(ValidationError) as refused:
        actions.create_programme(
            operation=operation,
            acting_user=administrator,
            code="x",
            name="X",
            type="protection",
            start_date=dt.date(2026, 5, 1),
            end_date=dt.date(2026, 1, 1),
        )
    assert "end_date" in refused.value.message_dict
    ProgrammeFactory(operation=operation, code="dup")
    with pytest.raises(ValidationError):
        actions.create_programme(
            operation=operation, acting_user=administrator, code="dup", name="Y", type="protection"
        )
    with pytest.raises(ValidationError) as refused:
        actions.create_programme(operation=operation, acting_user=administrator, code="z", name="Z", type="not-a-type")
    assert "type" in refused.value.message_dict


def test_caseworker_cannot_create_programmes_or_offices(caseworker, operation):
    with pytest.raises(PermissionDenied):
        actions.create_programme(operation=operation, acting_user=caseworker, code="p", name="P", type="protection")
    with pytest.raises(PermissionDenied):
        actions.create_office(operation=operation, acting_user=caseworker, code="o", name="O")


def test_outsider_cannot_touch_another_operation(outsider, operation):
    with pytest.raises(PermissionDenied):
        actions.update_operation(operation=operation, acting_user=outsider, name="Taken over")


def test_update_records_only_what_changed(administrator, operation):
    office = OfficeFactory(operation=operation, name="Erbil")
    actions.update_office(office=office, acting_user=administrator, name="Erbil sub-office", code=office.code)
    event = AuditEvent.objects.get(action="office.update")
    assert event.changes == {"name": ["Erbil", "Erbil sub-office"]}
    actions.update_office(office=office, acting_user=administrator, name="Erbil sub-office")
    assert AuditEvent.objects.filter(action="office.update").count() == 1


def test_administrator_creates_a_user_with_a_role(administrator, operation):
    user, password = actions.create_user(
        acting_user=administrator,
        operation=operation,
        username="new.clerk",
        role=Role.objects.get(code="registration_clerk"),
    )
    assert user.check_password(password)
    assert user.password.startswith(("argon2", "md5"))
    assert Membership.objects.get(user=user).role.code == "registration_clerk"
    create = AuditEvent.objects.get(action="user.create")
    assert password not in str(create.changes)
    with pytest.raises(ValidationError):
        actions.create_user(
            acting_user=administrator,
            operation=operation,
            username="NEW.CLERK",
            role=Role.objects.get(code="caseworker"),
        )


def test_role_limits_must_belong_to_the_operation(administrator, operation, other_operation):
    user = UserFactory()
    foreign = ProgrammeFactory(operation=other_operation)
    with pytest.raises(ValidationError):
        actions.grant_role(
            acting_user=administrator,
            user=user,
            operation=operation,
            role=Role.objects.get(code="caseworker"),
            programmes=[foreign],
        )
    assert not Membership.objects.filter(user=user).exists()


def test_last_user_manager_cannot_revoke_themself(administrator, operation):
    with pytest.raises(ValidationError):
        actions.revoke_membership(membership=administrator.memberships.get(), acting_user=administrator)


def test_administrator_cannot_deactivate_themself(administrator, operation):
    with pytest.raises(ValidationError):
        actions.update_user(user=administrator, operation=operation, acting_user=administrator, is_active=False)


def test_password_change_needs_the_old_password_and_a_strong_new_one(caseworker):
    with pytest.raises(ValidationError) as refused:
        actions.change_password(
            user=caseworker, acting_user=caseworker, old_password="wrong", new_password="a much better passphrase"
        )
    assert "old_password" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        actions.change_password(
            user=caseworker, acting_user=caseworker, old_password="correct horse battery", new_password="123"
        )
    assert "new_password" in refused.value.message_dict
    actions.change_password(
        user=caseworker,
        acting_user=caseworker,
        old_password="correct horse battery",
        new_password="a much better passphrase",
    )
    assert caseworker.check_password("a much better passphrase")


def test_tokens_are_stored_hashed_expire_and_revoke(caseworker):
    token, plaintext = actions.create_api_token(acting_user=caseworker, name="kobo sync", days=30)
    assert plaintext.startswith("psg_") and plaintext not in token.key_hash
    assert authenticate_token(plaintext) == caseworker
    assert authenticate_token(plaintext + "x") is None
    token.expires_at = timezone.now() - dt.timedelta(seconds=1)
    token.save()
    assert authenticate_token(plaintext) is None
    token2, plaintext2 = actions.create_api_token(acting_user=caseworker, name="second")
    actions.revoke_api_token(token=token2, acting_user=caseworker)
    assert authenticate_token(plaintext2) is None
    with pytest.raises(ValidationError):
        actions.create_api_token(acting_user=caseworker, name="forever", days=5000)


def test_switching_operation_needs_a_role_there(caseworker, operation, other_operation):
    with pytest.raises(PermissionDenied):
        actions.switch_operation(acting_user=caseworker, operation=other_operation)
    actions.switch_operation(acting_user=caseworker, operation=operation)
    assert caseworker.current_operation == operation


def test_administrator_resets_a_lost_second_factor(administrator, operation, dpo):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=dpo, name="old phone", confirmed=True)
    with pytest.raises(ValidationError):
        actions.reset_two_factor(user=dpo, operation=operation, acting_user=administrator, reason=" ")
    assert (
        actions.reset_two_factor(
            user=dpo, operation=operation, acting_user=administrator, reason="phone stolen, confirmed by call"
        )
        == 1
    )
    assert not TOTPDevice.objects.filter(user=dpo).exists()
    assert AuditEvent.objects.get(action="user.two_factor_reset").note == "phone stolen, confirmed by call"


def test_administrator_gives_a_new_password_only_to_members_of_the_operation(administrator, operation, outsider):
    member = UserFactory()
    with pytest.raises(PermissionDenied):
        actions.reset_password(user=outsider, operation=operation, acting_user=administrator)
    from passage.core.tests.factories import member_of

    member_of(operation, "caseworker", user=member)
    password = actions.reset_password(user=member, operation=operation, acting_user=administrator)
    member.refresh_from_db()
    assert member.check_password(password)
    assert password not in str(AuditEvent.objects.get(action="user.password_reset").changes)
