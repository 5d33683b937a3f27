"""URLs of the operation's workflows (included under /cases/workflows/ by cases.urls)."""

from django.urls import path

from passage.cases import workflow_views as views

urlpatterns = [
    path("", views.workflow_list, name="cases_workflows"),
    path("<slug:code>/", views.workflow_detail, name="cases_workflow"),
    path("<slug:code>/v<int:version>/", views.workflow_detail, name="cases_workflow_version"),
    path("<slug:code>/compare/", views.workflow_diff, name="cases_workflow_diff"),
    path("<slug:code>/edit/", views.workflow_edit, name="cases_workflow_edit"),
    path("<slug:code>/edit/check/", views.workflow_check, name="cases_workflow_check"),
    path("<slug:code>/edit/discard/", views.workflow_discard, name="cases_workflow_discard"),
    path("<slug:code>/new/", views.workflow_start, name="cases_workflow_start"),
]
