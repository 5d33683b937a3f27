"""Panels other apps add to the pages of records that live above them: a person's cases on the person's page.

The registry imports no app below it, so an app that hangs things off people, households or groups registers a
provider here in its AppConfig.ready() (as with dashboard tiles); the record's template asks for its panels with
`{% load record_panels %}{% record_panels person %}`. A provider returns HTML ("" when it has nothing for this
user), and shows only what its reader may see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

PanelProvider = Callable[[HttpRequest, Any], str]
_PROVIDERS: list[PanelProvider] = []


def register_panel(provider: PanelProvider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def panels_for(request: HttpRequest, record: Any) -> list[str]:
    return [html for html in (provider(request, record) for provider in _PROVIDERS) if html]
