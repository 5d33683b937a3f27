"""Template tags of registry exports: whether the signed-in user holds a permission in the current operation."""

from __future__ import annotations

from typing import Any

from django import template

from passage.core import access

register = template.Library()


@register.simple_tag(takes_context=True)
def may_in_operation(context: dict[str, Any], permission: str) -> bool:
    """{% may_in_operation "person.export" as may_export %}: for buttons that lead to pages needing it."""
    request = context.get("request")
    operation = getattr(request, "operation", None)
    return bool(request is not None and operation is not None and access.can(request.user, permission, operation))
