"""Small helpers shared by the core views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from passage.core.models import Operation, User

PAGE_SIZE = 50


def operation_or_403(request: HttpRequest) -> Operation:
    operation: Operation | None = getattr(request, "operation", None)
    if operation is None:
        raise PermissionDenied("You hold no role in any operation.")
    return operation


def add_action_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show an action's ValidationError on the form: on its field if the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def paginate(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def me(request: HttpRequest) -> User:
    """The signed-in user (views that call this are behind login_required)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
