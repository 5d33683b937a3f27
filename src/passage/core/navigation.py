"""The shell's navigation: each entry shows only to roles holding its permission in the current operation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from passage.core import access
from passage.core.models import Operation


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: Any
    icon: str
    permission: str | None = None  # None: every member of the operation


ENTRIES: list[NavEntry] = [
    NavEntry("dashboard", _("Dashboard"), "speedometer2"),
    NavEntry("registry_people", _("People"), "person-vcard", "person.view"),
    NavEntry("registry_groups", _("Groups"), "people-fill", "person.view"),
    NavEntry("cases_caseload", _("Cases"), "folder2-open", "case.view"),
    NavEntry("registry_register", _("Register"), "person-plus", "person.register"),
    NavEntry("registry_imports", _("Imports"), "file-earmark-arrow-up", "person.register"),
    NavEntry("matching_queue", _("Duplicates"), "intersect", "person.merge"),
    NavEntry("registry_aggregates", _("Counts"), "bar-chart", "person.aggregate"),
    NavEntry("cases_counts", _("Case counts"), "bar-chart-steps", "case.aggregate"),
    NavEntry("jobs", _("Jobs"), "hourglass-split"),
    NavEntry("audit_events", _("Audit trail"), "shield-check", "audit.view"),
    NavEntry("manage_operation", _("Operation"), "building", "operation.manage"),
    NavEntry("manage_programmes", _("Programmes"), "diagram-3", "programme.manage"),
    NavEntry("cases_forms", _("Forms"), "ui-checks", "form.manage"),
    NavEntry("manage_users", _("Users and roles"), "people", "user.manage"),
]


def navigation_for(user: Any, operation: Operation | None, path: str) -> list[dict[str, Any]]:
    if operation is None:
        return []
    allowed = access.permissions_in(user, operation.pk)
    items = []
    for entry in ENTRIES:
        if entry.permission and entry.permission not in allowed:
            continue
        url = reverse(entry.url_name)
        active = path == url if url == "/" else path.startswith(url)
        items.append({"url": url, "label": entry.label, "icon": entry.icon, "active": active})
    return items
