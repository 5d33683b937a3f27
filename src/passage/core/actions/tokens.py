"""Personal API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.core import audit
from passage.core.models import ApiToken, User

TOKEN_PREFIX = "psg_"  # noqa: S105  (a public prefix, not a secret)
MAX_DAYS = 366


def hash_token(plaintext: str) -> str:
    """Tokens carry 256 random bits, so a plain SHA-256 is enough (no salt or slow hash needed)."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


@transaction.atomic
def create_api_token(*, acting_user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token for the acting user; the plaintext is returned once and never stored."""
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": _("A token lasts between 1 and %(max)s days.") % {"max": MAX_DAYS}})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the script that will use it.")})
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=acting_user,
        name=name[:100],
        prefix=plaintext[: len(TOKEN_PREFIX) + 6],
        key_hash=hash_token(plaintext),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit.record(
        acting_user,
        "api_token.create",
        token,
        operation_id=acting_user.current_operation_id,
        changes={"name": [None, token.name], "expires_at": [None, token.expires_at.isoformat()]},
    )
    return token, plaintext


@transaction.atomic
def revoke_api_token(*, token: ApiToken, acting_user: User) -> ApiToken:
    if token.user_id != acting_user.pk and not acting_user.is_superuser:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            acting_user,
            "api_token.revoke",
            token,
            operation_id=acting_user.current_operation_id,
            changes={"revoked_at": [None, token.revoked_at.isoformat()]},
        )
    return token


def authenticate_token(plaintext: str) -> User | None:
    """The user behind a bearer token, or None if it is unknown, expired or revoked."""
    if not plaintext.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.usable().select_related("user").filter(key_hash=hash_token(plaintext)).first()
    if token is None:
        return None
    now = timezone.now()
    # Bookkeeping, not a change a person made: no audit event, and at most one write a minute.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
