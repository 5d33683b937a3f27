"""Personas shared by every app's tests: staff of one operation in each role, and an outsider."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from hypothesis import settings as hypothesis_settings

from passage.core.models import Operation, User
from passage.core.roles import ROLE_CODES
from passage.core.tests.factories import OperationFactory, ProgrammeFactory, member_of, verified_device

# Shared, noisy machines: judge properties by their examples, not by how fast each one ran.
hypothesis_settings.register_profile("passage", deadline=None, max_examples=60)
hypothesis_settings.load_profile("passage")


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations() -> None:
    from passage.core.i18n import compile_messages

    compile_messages()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts and ends in the site's language: a request in Arabic through the test client leaves
    Arabic active in the thread, and the next test's messages would be Arabic."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def committed_db(django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """For a test whose threads must see committed rows: ask for it before `transactional_db`,
    `def test_x(committed_db, transactional_db, ...)`, so that it is torn down after pytest-django has emptied
    the tables. That flush uses TRUNCATE, which the audit table refuses on PostgreSQL: the guard is lifted while
    the test runs (its row triggers stay) and put back after. What the migrations wrote (roles, permissions) is
    copied before the test and loaded again after the flush, for the tests that come after; the audit events are
    left out (written once, never saved again)."""
    import json

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    guard = "ALTER TABLE core_auditevent {} TRIGGER core_auditevent_no_truncate"
    postgresql = connection.vendor == "postgresql"
    with django_db_blocker.unblock():
        rows = json.loads(connection.creation.serialize_db_to_string())
        before = json.dumps([row for row in rows if row["model"] != "core.auditevent"])
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute(guard.format("DISABLE"))
    yield
    with django_db_blocker.unblock():
        with transaction.atomic():
            # The flush ends with post_migrate, which writes content types and permissions under new keys.
            ContentType.objects.all().delete()
            connection.creation.deserialize_db_from_string(before)
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute(guard.format("ENABLE"))


@pytest.fixture
def operation(db: None) -> Operation:
    return OperationFactory(code="irq", name="Iraq")


@pytest.fixture
def other_operation(db: None) -> Operation:
    return OperationFactory(code="lby", name="Libya", country="LY")


@pytest.fixture
def persona(operation: Operation) -> Callable[[str], User]:
    """persona("caseworker") -> a new user holding that role in `operation`."""
    return lambda role_code: member_of(operation, role_code)


@pytest.fixture
def administrator(operation: Operation) -> User:
    return member_of(operation, "administrator")


@pytest.fixture
def caseworker(operation: Operation) -> User:
    return member_of(operation, "caseworker")


@pytest.fixture
def dpo(operation: Operation) -> User:
    return member_of(operation, "data_protection_officer")


@pytest.fixture
def outsider(other_operation: Operation) -> User:
    """An administrator — but of another operation."""
    return member_of(other_operation, "administrator")


@pytest.fixture
def programme(operation: Operation) -> object:
    return ProgrammeFactory(operation=operation)


def sign_in(client: Client, user: User) -> Client:
    """Log the user in, past the two-factor step when their role needs it."""
    client.force_login(user)
    device = verified_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def signed_in(client: Client) -> Callable[[User], Client]:
    return lambda user: sign_in(client, user)


ALL_ROLES = ROLE_CODES
