"""URLs of case exports and counts (included under /cases/ by cases.urls)."""

from django.urls import path

from passage.cases import export_views

urlpatterns = [
    path("export/", export_views.case_export, name="cases_export"),
    path("counts/", export_views.counts, name="cases_counts"),
]
