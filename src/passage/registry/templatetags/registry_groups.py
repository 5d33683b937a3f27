"""Template tags of groups and communities: the groups a person belongs or belonged to, for the person page."""

from __future__ import annotations

from typing import Any

from django import template

from passage.registry.group_queries import groups_of_person

register = template.Library()


@register.simple_tag(takes_context=True)
def groups_of(context: dict[str, Any], person: Any) -> list[Any]:
    """{% groups_of person as group_memberships %}: the person's memberships in groups the user may see."""
    request = context.get("request")
    if request is None or person is None:
        return []
    return groups_of_person(request.user, person)
