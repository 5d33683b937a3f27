"""URLs of forms and assessments (included by cases.urls, under /cases/)."""

from django.urls import path

from passage.cases import assessment_views as views
from passage.cases import vulnerability_views

urlpatterns = [
    path("forms/", views.form_library, name="cases_forms"),
    path("forms/upload/", views.form_upload, name="cases_form_upload"),
    path("forms/<uuid:template_id>/", views.form_detail, name="cases_form"),
    path("forms/<uuid:template_id>/imports/", views.import_upload, name="cases_form_import_upload"),
    path("forms/imports/<uuid:import_id>/", views.import_detail, name="cases_form_import"),
    path("forms/versions/<uuid:version_id>/xlsform/", views.version_xlsform, name="cases_form_xlsform"),
    path("forms/versions/<uuid:version_id>/xform/", views.version_xform, name="cases_form_xform"),
    path("<uuid:case_id>/assessments/", views.case_assessments, name="cases_assessments"),
    path("<uuid:case_id>/assessments/<uuid:template_id>/fill/", views.fill, name="cases_assessment_fill"),
    path(
        "<uuid:case_id>/assessments/<uuid:template_id>/fill/refresh/",
        views.fill_refresh,
        name="cases_assessment_refresh",
    ),
    path(
        "<uuid:case_id>/assessments/submissions/<uuid:submission_id>/",
        views.submission_detail,
        name="cases_submission",
    ),
    path(
        "<uuid:case_id>/assessments/submissions/<uuid:submission_id>/discard/",
        views.submission_discard,
        name="cases_submission_discard",
    ),
    path("<uuid:case_id>/vulnerability/", vulnerability_views.vulnerability, name="cases_vulnerability"),
    path("<uuid:case_id>/vulnerability/factors/", vulnerability_views.factors, name="cases_vulnerability_factors"),
    path(
        "<uuid:case_id>/vulnerability/determine/", vulnerability_views.determine, name="cases_vulnerability_determine"
    ),
    path(
        "<uuid:case_id>/vulnerability/determinations/<uuid:determination_id>/review/",
        vulnerability_views.review,
        name="cases_vulnerability_review",
    ),
    path("places/", vulnerability_views.places, name="cases_places"),
    path("places/new/", vulnerability_views.place_new, name="cases_place_new"),
    path("places/<uuid:assessment_id>/", vulnerability_views.place, name="cases_place"),
    path("people/<uuid:person_id>/assessments/", views.person_assessments, name="cases_person_assessments"),
    path("programmes/<uuid:programme_id>/scoring/", views.programme_scoring, name="cases_programme_scoring"),
]
