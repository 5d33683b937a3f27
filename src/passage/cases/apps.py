"""Cases: the engine every programme module runs on (protection, counter-trafficking, return and reintegration,
reparation claims, resettlement). Its workflow and form modules import nothing of Django, so that
`passage workflow check` and the form reader run without a database."""

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "passage.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from passage.cases import (
            assessment_panels,
            case_counts,
            case_exports,  # noqa: F401  (registers the cases.export job kind)
            documents,
            form_imports,
            panels,
        )
        from passage.core.dashboard import register_tiles
        from passage.core.panels import register_panel

        register_tiles(case_counts.dashboard_tiles)  # open cases, on the dashboard

        documents.register()  # case documents, for key rotation
        form_imports.register()  # imported Kobo/ODK exports, for key rotation (and the cases.form_import job)
        register_panel(panels.subject_cases)  # the cases of a person, household or group, on its page
        register_panel(assessment_panels.person_assessments)  # a person's assessments and RSS chart
