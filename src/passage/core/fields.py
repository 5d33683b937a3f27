"""Model fields for sensitive values: stored encrypted (passage.core.crypto), read back as plain text."""

from __future__ import annotations

from typing import Any

from django.db import models

from passage.core import crypto


class EncryptedTextField(models.TextField):
    """Text sealed with AES-GCM, bound to its table and column. Not searchable: pair it with a blind index."""

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        self._context = f"{cls._meta.label_lower}.{name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, context=self._context)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value), context=self._context)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in ("isnull",):
            return None  # searching ciphertext would silently find nothing; refuse instead
        return super().get_lookup(lookup_name)
