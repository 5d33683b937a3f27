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
