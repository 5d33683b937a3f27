"""{% record_panels record %}: the panels other apps add to a record's page (passage.core.panels)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from passage.core.panels import panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def record_panels(context: template.Context, record: Any) -> SafeString:
    request = context.get("request")
    if request is None:
        return mark_safe("")
    return mark_safe("".join(panels_for(request, record)))  # noqa: S308  (each panel is a rendered template)
