from django.urls import path

from passage.matching import views

urlpatterns = [
    path("", views.queue, name="matching_queue"),
    path("runs/start/", views.run_start, name="matching_run_start"),
    path("settings/", views.settings, name="matching_settings"),
    path("pairs/<uuid:pair_id>/", views.pair, name="matching_pair"),
    path("pairs/<uuid:pair_id>/merge/", views.pair_merge, name="matching_pair_merge"),
    path("pairs/<uuid:pair_id>/decide/", views.pair_decide, name="matching_pair_decide"),
    path("merges/", views.merges, name="matching_merges"),
    path("merges/<uuid:merge_id>/", views.merge, name="matching_merge"),
    path("merges/<uuid:merge_id>/undo/", views.merge_undo, name="matching_merge_undo"),
    path("bulk/", views.bulk_start, name="matching_bulk_start"),
    path("bulk/<uuid:bulk_id>/", views.bulk, name="matching_bulk"),
]
