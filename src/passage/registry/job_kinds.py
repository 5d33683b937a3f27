"""Background jobs of the registry: staging an import, and committing it after approval."""

from __future__ import annotations

from passage.core.jobs import JobContext, JobFailed, job_kind
from passage.core.models import User
from passage.registry.import_actions import approve_registration_import, stage_registration_import
from passage.registry.models import ImportState, RegistrationImport


def _import_of(ctx: JobContext) -> RegistrationImport:
    try:
        return RegistrationImport.objects.select_related("operation").get(
            pk=ctx.params["import_id"], operation_id=ctx.job.operation_id
        )
    except (RegistrationImport.DoesNotExist, KeyError) as exc:
        raise JobFailed("The import this job was for no longer exists.") from exc


@job_kind(
    "registry.import_stage", title="Check a registration import", permission="person.register", user_startable=False
)
def stage(ctx: JobContext) -> None:
    registration_import = stage_registration_import(
        registration_import=_import_of(ctx), progress=lambda done, total, stage: ctx.progress(done, total, stage=stage)
    )
    if registration_import.state == ImportState.FAILED:
        raise JobFailed(registration_import.problem)
    ctx.count("rows", registration_import.rows_total)
    ctx.count("rows_with_errors", registration_import.rows_invalid)
    if registration_import.duplicates_checked_at is not None:
        ctx.count("rows_like_someone", registration_import.rows_with_duplicates)
    ctx.finish(import_id=str(registration_import.pk), held_for_review=registration_import.held_for_review)


@job_kind(
    "registry.import_commit",
    title="Add an approved import to the registry",
    permission="person.register",
    user_startable=False,
)
def commit(ctx: JobContext) -> None:
    approved_by = str(ctx.params.get("approved_by") or "")
    approver = User.objects.filter(pk=approved_by).first() if approved_by else None
    registration_import = approve_registration_import(
        registration_import=_import_of(ctx),
        acting_user=approver,
        progress=lambda done, total, stage: ctx.progress(done, total, stage=stage),
    )
    ctx.count("households", registration_import.households_created)
    ctx.count("people", registration_import.people_created)
    ctx.finish(import_id=str(registration_import.pk))


# Exports ------------------------------------------------------------------------------------------


@job_kind(
    "registry.export_people",
    title="Export people",
    permission="person.export",
    description="Writes the people one may see, matching the people list's search, to CSV or XLSX.",
    user_startable=False,  # only export_actions.export_people starts it, with its checks and its audit
    private=True,  # the list is what its asker may see: nobody else opens it
)
def export_people(ctx: JobContext) -> None:
    from passage.registry.export_actions import run_people_export

    run_people_export(ctx)
