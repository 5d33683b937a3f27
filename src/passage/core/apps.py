from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "passage.core"
    label = "core"
    verbose_name = "Passage core"

    def ready(self) -> None:
        from passage.core import checks, job_kinds, signals  # noqa: F401  (registers checks, job kinds, signals)
