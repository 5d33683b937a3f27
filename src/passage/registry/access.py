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


def may_see_sensitive(user: Any, record: Person | Household) -> bool:
    """Documents and phones unmasked: only roles with need-to-know."""
    return can(user, "person.view_sensitive", record)


def mask(value: str, *, keep: int = 2) -> str:
    """'+9647701234567' -> '•••••••••••67': enough to tell two numbers apart on a call, no more."""
    if keep <= 0 or len(value) <= keep:
        return "•" * len(value)
    return "•" * (len(value) - keep) + value[-keep:]
