"""Sign-ins, sign-outs and failed attempts go to the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from passage.core import audit


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(user, "auth.login", user, operation_id=user.current_operation_id)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(user, "auth.logout", user, operation_id=user.current_operation_id)


@receiver(user_login_failed)
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The username someone typed is kept (it tells a DPO who is being targeted); the password never is.
    audit.record(None, "auth.login_failed", None, actor_username=str(credentials.get("username", ""))[:150])
