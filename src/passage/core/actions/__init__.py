"""Every state change of the core app. Views, the API, commands and tasks call these; nothing else saves."""

from passage.core.actions.jobs import cancel_job, fail_stalled_jobs, retry_job, start_job
from passage.core.actions.operations import (
    create_office,
    create_operation,
    create_programme,
    update_office,
    update_operation,
    update_programme,
)
from passage.core.actions.tokens import create_api_token, revoke_api_token
from passage.core.actions.users import (
    change_password,
    confirm_two_factor_device,
    create_user,
    grant_role,
    reset_password,
    reset_two_factor,
    revoke_membership,
    set_preferred_language,
    switch_operation,
    update_membership,
    update_user,
)

__all__ = [
    "cancel_job",
    "change_password",
    "confirm_two_factor_device",
    "create_api_token",
    "create_office",
    "create_operation",
    "create_programme",
    "create_user",
    "fail_stalled_jobs",
    "grant_role",
    "reset_password",
    "reset_two_factor",
    "retry_job",
    "revoke_api_token",
    "revoke_membership",
    "set_preferred_language",
    "start_job",
    "switch_operation",
    "update_membership",
    "update_office",
    "update_operation",
    "update_programme",
    "update_user",
]
