"""Claims (reparations): the violations a state recognises, claims carried by cases of the reparation claims
workflow, evidence against each category's checklist, deficiency notices and duplicate flags."""

from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "passage.claims"
    label = "claims"
    verbose_name = "Claims"
