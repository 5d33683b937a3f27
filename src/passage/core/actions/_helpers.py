"""Shared mechanics of actions: validate a model instance, write only what changed, audit the diff."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models

from passage.core import audit


def apply_changes(obj: models.Model, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set fields, validate, and return the audit diff (nothing is saved if validation fails)."""
    before = audit.snapshot(obj, values.keys())
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    return audit.diff(before, audit.snapshot(obj, values.keys()))
