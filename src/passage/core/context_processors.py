"""What every page of the shell needs: the user's operations, the current one, and the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from passage.core import access
from passage.core.navigation import navigation_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return {}
    if not user.is_verified() and access.requires_two_factor(user):  # type: ignore[union-attr]
        return {"awaiting_second_factor": True}
    operation = getattr(request, "operation", None)
    return {
        "current_operation": operation,
        "my_operations": access.operations_for(user),
        "navigation": navigation_for(user, operation, request.path),
    }
