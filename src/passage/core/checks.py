"""`passage check`: unsafe configuration, on top of Django's own `check --deploy`."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


def _level(production: bool) -> type[Error] | type[Warning]:
    """In production mode an unsafe setting is an error; on a laptop it is a warning."""
    return Error if production else Warning


@register(Tags.security, deploy=True)
def passage_deploy_checks(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    production = settings.PRODUCTION
    problem = _level(production)
    found: list[CheckMessage] = []
    if production and settings.DEBUG:
        found.append(
            Error(
                "DEBUG is on in production mode: error pages would show code and settings.",
                hint="Unset PASSAGE_DEBUG.",
                id="passage.E001",
            )
        )
    if not settings.SECRET_KEY or len(settings.SECRET_KEY) < 40:
        found.append(
            Error(
                "SECRET_KEY is missing or shorter than 40 characters.",
                hint="Set PASSAGE_SECRET_KEY to a long random value.",
                id="passage.E002",
            )
        )
    if not settings.ENCRYPTION_KEYS:
        found.append(
            problem(
                "No encryption key: sensitive fields could not be encrypted at rest.",
                hint="Set PASSAGE_ENCRYPTION_KEYS (base64 of 32 random bytes; newest first).",
                id="passage.E003",
            )
        )
    if not settings.BLIND_INDEX_KEY or not _is_aes256_key(settings.BLIND_INDEX_KEY):
        found.append(
            problem(
                "No valid blind-index key: encrypted values (documents, phones) could not be searched.",
                hint="Set PASSAGE_BLIND_INDEX_KEY (base64 of 32 random bytes). Never change it without re-indexing.",
                id="passage.E007",
            )
        )
    for position, key in enumerate(settings.ENCRYPTION_KEYS, start=1):
        if not _is_aes256_key(key):
            found.append(
                Error(
                    f"Encryption key number {position} is not base64 of 32 bytes.",
                    hint='Generate one with: python -c "import os,base64;'
                    'print(base64.urlsafe_b64encode(os.urandom(32)).decode())"',
                    id="passage.E004",
                )
            )
    if not (settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE):
        found.append(
            problem(
                "Session and CSRF cookies are sent over plain HTTP.",
                hint="Serve over HTTPS and set PASSAGE_SECURE_COOKIES=true.",
                id="passage.E005",
            )
        )
    if production and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        found.append(
            Warning(
                "Production mode on SQLite: fine for one office, not for many users.",
                hint="Set DATABASE_URL to a PostgreSQL database.",
                id="passage.W001",
            )
        )
    if production and "*" in settings.ALLOWED_HOSTS:
        found.append(Error("ALLOWED_HOSTS accepts any host name.", hint="List the real host names.", id="passage.E006"))
    return found


def _is_aes256_key(value: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(value.encode("ascii") + b"==")) == 32
    except (binascii.Error, ValueError):
        return False
