"""The cases panel on the pages of a person, a household and a group (passage.core.panels): the cases about them
the reader may see, and "Open a case" for those who open cases."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from passage.cases import queries
from passage.cases.access import MANAGE, VIEW
from passage.core.access import permissions_in

SUBJECTS = {"registry.person": "person", "registry.household": "household", "registry.group": "group"}
SHOWN = 10


def subject_cases(request: HttpRequest, record: Any) -> str:
    kind = SUBJECTS.get(record._meta.label_lower)
    if kind is None:
        return ""
    allowed = permissions_in(request.user, record.operation_id)
    if VIEW not in allowed:
        return ""
    found = queries.cases_of_subject(request.user, record)
    cases = list(found[:SHOWN])
    return render_to_string(
        "cases/_subject_cases.html",
        {
            "cases": cases,
            "more": found.count() - SHOWN if len(cases) == SHOWN else 0,
            "kind": kind,
            "record": record,
            "may_open": MANAGE in allowed,
            "now": timezone.now(),
        },
        request=request,
    )
