"""Template tags of the registry's person pages: may the signed-in user change this person or household."""

from __future__ import annotations

from typing import Any

from django import template

from passage.core import access

register = template.Library()


@register.simple_tag(takes_context=True)
def may_change(context: dict[str, Any], record: Any) -> bool:
    """{% may_change person as may_edit %}: for the buttons that lead to pages needing person.register."""
    request = context.get("request")
    return bool(request is not None and record is not None and access.can(request.user, "person.register", record))
