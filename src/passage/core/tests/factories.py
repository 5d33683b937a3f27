"""Factories for the core models. Users get a role through `member_of`, the way the app grants one."""

from __future__ import annotations

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from passage.core.models import Membership, Office, Operation, Programme, Role, User


class OperationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operation

    code = factory.Sequence(lambda n: f"op-{n}")
    name = factory.Sequence(lambda n: f"Operation {n}")
    country = "IQ"


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    operation = factory.SubFactory(OperationFactory)
    code = factory.Sequence(lambda n: f"office-{n}")
    name = factory.Sequence(lambda n: f"Office {n}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    operation = factory.SubFactory(OperationFactory)
    code = factory.Sequence(lambda n: f"prog-{n}")
    name = factory.Sequence(lambda n: f"Programme {n}")
    type = "protection"
    status = "active"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def saved(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


def member_of(
    operation: Operation,
    role_code: str,
    *,
    user: User | None = None,
    programmes: list[Programme] | None = None,
    offices: list[Office] | None = None,
) -> User:
    """A user holding `role_code` in `operation` (optionally limited to some programmes/offices)."""
    user = user or UserFactory()
    membership = Membership.objects.create(user=user, operation=operation, role=Role.objects.get(code=role_code))
    if programmes:
        membership.programmes.set(programmes)
    if offices:
        membership.offices.set(offices)
    return user


def verified_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)
