"""The only way an interface fetches a person or household: visible, permitted, and audited when opened."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from passage.core import audit
from passage.core.access import can
from passage.core.access import fetch_or_404 as _get
from passage.registry.models import Household, Person


def get_person_for_user(user: Any, person_id: Any, *, need: str = "person.view") -> Person:
    """The person if the user may `need` them; 404 otherwise. Opening a record is a read of personal data:
    it is audited."""
    person: Person = _get(
        Person.objects.visible_to(user).select_related("operation", "office", "admin_area", "site"), person_id
    )
    if not can(user, need, person):
        raise Http404
    audit.record_read(user, person)
    return person


def get_household_for_user(user: Any, household_id: Any, *, need: str = "person.view") -> Household:
    household: Household = _get(
        Household.objects.visible_to(user).select_related("operation", "office", "admin_area", "site"), household_id
    )
    if not can(user, need, household):
        raise Http404
    audit.record_read(user, household)
    return household


def get_person_photo_for_user(user: Any, person_id: Any) -> Person:
    """A person with a photo, for roles that may see sensitive data (a face identifies a person at a glance);
    404 otherwise. Every look at the photo is audited."""
    person: Person = _get(Person.objects.visible_to(user), person_id)
    if not can(user, "person.view_sensitive", person) or not person.photo_file:
        raise Http404
    audit.record_read(user, person, note="photo")
    return person


def get_person_to_check_for_user(user: Any, person_id: Any) -> Person:
    """The person whose correction is being typed, for the live checks of the edit page (opened, and audited,
    when the page was): the checks answer with messages about what was typed, never with stored values."""
    person: Person = _get(Person.objects.visible_to(user).select_related("operation"), person_id)
    if not can(user, "person.register", person):
        raise Http404
    return person


def find_household_for_user(user: Any, operation: Any, reference: str, *, need: str = "person.register") -> Household:
    """A household of `operation` by its number (as people read it out), if the user may `need` it; 404
    otherwise. Opening it is audited."""
    household = (
        Household.objects.visible_to(user)
        .filter(operation=operation, reference=reference.strip().upper())
        .select_related("operation")
        .first()
    )
    if household is None or not can(user, need, household):
        raise Http404
    audit.record_read(user, household)
    return household


def may_see_sensitive(user: Any, record: Person | Household) -> bool:
    """Documents and phones unmasked: only roles with need-to-know."""
    return can(user, "person.view_sensitive", record)


def mask(value: str, *, keep: int = 2) -> str:
    """'+9647701234567' -> '•••••••••••67': enough to tell two numbers apart on a call, no more."""
    if keep <= 0 or len(value) <= keep:
        return "•" * len(value)
    return "•" * (len(value) - keep) + value[-keep:]
