"""URLs of cases (included under /cases/ by config.urls)."""

from django.urls import include, path

from passage.cases import case_views, views

urlpatterns = [
    path("", views.caseload, name="cases_caseload"),
    path("board/", views.board, name="cases_board"),
    path("open/", views.open_case, name="cases_open"),
    path("reassign/", views.reassign, name="cases_reassign"),
    path("workflows/", include("passage.cases.workflow_urls")),
    path("", include("passage.cases.export_urls")),  # export/, counts/
    path("", include("passage.cases.referral_urls")),  # referrals/, <case>/referrals/, referral-link/
    path("", include("passage.cases.assessment_urls")),  # forms/, places/, <case>/assessments/, <case>/vulnerability/
    path("<uuid:case_id>/", views.case, name="cases_case"),
    path("<uuid:case_id>/steps/<slug:code>/", case_views.transition, name="cases_transition"),
    path("<uuid:case_id>/approvals/", case_views.approval_request, name="cases_approval_request"),
    path(
        "<uuid:case_id>/approvals/<uuid:approval_id>/decide/",
        case_views.approval_decide,
        name="cases_approval_decide",
    ),
    path("<uuid:case_id>/caseworker/", case_views.assign, name="cases_assign"),
    path("<uuid:case_id>/priority/", case_views.priority, name="cases_priority"),
    path("<uuid:case_id>/sensitivity/", case_views.sensitivity, name="cases_sensitivity"),
    path("<uuid:case_id>/details/", case_views.details, name="cases_details"),
    path("<uuid:case_id>/close/", case_views.close, name="cases_close"),
    path("<uuid:case_id>/reopen/", case_views.reopen, name="cases_reopen"),
    path("<uuid:case_id>/access/", case_views.access_grant, name="cases_access_grant"),
    path("<uuid:case_id>/access/<uuid:grant_id>/revoke/", case_views.access_revoke, name="cases_access_revoke"),
    path("<uuid:case_id>/tasks/", case_views.task_add, name="cases_task_add"),
    path("<uuid:case_id>/tasks/<uuid:task_id>/done/", case_views.task_done, name="cases_task_done"),
    path("<uuid:case_id>/notes/", case_views.note_add, name="cases_note_add"),
    path("<uuid:case_id>/documents/", case_views.document_add, name="cases_document_add"),
    path("<uuid:case_id>/documents/<uuid:document_id>/", case_views.document, name="cases_document"),
    path(
        "<uuid:case_id>/documents/<uuid:document_id>/remove/",
        case_views.document_remove,
        name="cases_document_remove",
    ),
]
