"""The registry side of matching: candidate pairs, runs and settings in the database, and the batch job.

The engine modules of this package (records, blocking, compare, model, cluster, engine, files) import nothing of
Django: Django loads this AppConfig, the models and the job kinds only when it sets up, and `passage match`
never does."""

from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "passage.matching"
    label = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        from passage.matching import job_kinds  # noqa: F401  (registers matching.registry)
        from passage.matching.import_hold import find_import_duplicates, queue_import_run
        from passage.registry import import_checks

        # The registry may not import matching (apps higher never import lower ones): it offers a seam instead.
        import_checks.install_duplicate_finder(find_import_duplicates)
        import_checks.import_committed.connect(queue_import_run, dispatch_uid="matching.queue_import_run")
        from passage.matching import live_registry
        from passage.registry import live_checks

        live_checks.install_live_finder(live_registry.likely_duplicates)
        live_checks.people_changed.connect(live_registry.apply_changed, dispatch_uid="matching.live_apply_changed")
