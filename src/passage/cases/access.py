"""The only way an interface fetches a case, or a task, note, document or approval of one.

A case the user may not see is a 404, never a 403: a 403 would confirm that it exists — for a restricted case
that alone can put a person at risk. Opening a case is a read of personal data and is audited.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from passage.cases.models import Case, CaseAccess, CaseApproval, CaseDocument, CaseNote, Sensitivity, Task
from passage.core import audit
from passage.core.access import can, permissions_in
from passage.core.access import fetch_or_404 as _get

VIEW = "case.view"
MANAGE = "case.manage"


def is_named(user: Any, case: Case) -> bool:
    """The caseworker, or someone granted access to this case by name (and not revoked)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if case.caseworker_id == user.pk:
        return True
    cache: dict[Any, bool] | None = getattr(user, "_passage_named_on", None)
    if cache is None:
        cache = {}
        user._passage_named_on = cache
    if case.pk not in cache:
        cache[case.pk] = CaseAccess.objects.filter(case=case, user=user, revoked_at__isnull=True).exists()
    return cache[case.pk]


def forget_named(user: Any) -> None:
    """Drop the cached answers of is_named (after access changes within one request)."""
    if hasattr(user, "_passage_named_on"):
        del user._passage_named_on


def may(user: Any, permission: str, case: Case) -> bool:
    """May `user` use `permission` on a case they can see? Within their programmes and offices, as their role
    allows; beyond them (a case they are named on), as their role allows anywhere in the operation. A restricted
    case needs the person to be named, whatever their role."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if case.sensitivity != Sensitivity.NORMAL and not is_named(user, case):
        return False
    if can(user, permission, case):
        return True
    return is_named(user, case) and permission in permissions_in(user, case.operation_id)


def may_name_staff(user: Any, case: Case) -> bool:
    """Who may grant or revoke access by name: on a highly restricted case only its caseworker; otherwise
    anyone who may manage the case."""
    if case.sensitivity == Sensitivity.HIGHLY_RESTRICTED:
        return case.caseworker_id == getattr(user, "pk", None) and may(user, MANAGE, case)
    return may(user, MANAGE, case)


def get_case_for_user(user: Any, case_id: Any, *, need: str = VIEW, audited: bool = True) -> Case:
    """The case if the user may `need` it; Http404 otherwise. Opening it is audited (`audited=False` for a
    fragment of a page whose opening already was)."""
    case: Case = _get(
        Case.objects.visible_to(user).select_related(
            "operation", "programme", "office", "caseworker", "person", "household", "group"
        ),
        case_id,
    )
    if not may(user, need, case):
        raise Http404
    if audited:
        audit.record_read(user, case)
    return case


def get_case_to_change(user: Any, case_id: Any) -> Case:
    """The case, for a change (its change is audited, not the read)."""
    return get_case_for_user(user, case_id, need=MANAGE, audited=False)


def get_task(case: Case, task_id: Any) -> Task:
    """A task of a case already fetched through get_case_for_user; any other is a 404."""
    task: Task = _get(case.tasks.select_related("assignee", "done_by"), task_id)
    return task


def notes_for(user: Any, case: Case) -> QuerySet[CaseNote]:
    """The notes of a case this user may read: every note for named staff, otherwise the shared notes and
    one's own private ones."""
    notes = case.notes.select_related("author")
    if is_named(user, case):
        return notes
    return notes.filter(Q(private=False) | Q(author_id=user.pk))


def get_document_for_user(user: Any, case_id: Any, document_id: Any) -> CaseDocument:
    """A document still on a case the user may see; Http404 otherwise. Opening the file is audited."""
    case = get_case_for_user(user, case_id, audited=False)
    document: CaseDocument = _get(case.documents.filter(removed_at__isnull=True).select_related("case"), document_id)
    audit.record_read(user, case, note=f"document {document.pk}")
    return document


def get_document(case: Case, document_id: Any) -> CaseDocument:
    """A document still on a case already fetched through get_case_for_user; any other is a 404."""
    document: CaseDocument = _get(case.documents.filter(removed_at__isnull=True), document_id)
    return document


def get_access_grant(case: Case, grant_id: Any) -> CaseAccess:
    grant: CaseAccess = _get(case.access_grants.filter(revoked_at__isnull=True).select_related("user"), grant_id)
    return grant


def get_approval(case: Case, approval_id: Any) -> CaseApproval:
    approval: CaseApproval = _get(case.approvals.select_related("requested_by"), approval_id)
    return approval
