from django.urls import path

from passage.registry import import_views, views

urlpatterns = [
    path("people/", views.people, name="registry_people"),
    path("people/<uuid:person_id>/", views.person, name="registry_person"),
    path("households/<uuid:household_id>/", views.household, name="registry_household"),
    path("register/", views.register, name="registry_register"),
    path("register/member-form/", views.member_form, name="registry_member_form"),
    path("register/check/", views.register_check, name="registry_register_check"),
    path("imports/", import_views.import_list, name="registry_imports"),
    path("imports/new/", import_views.import_upload, name="registry_import_upload"),
    path("imports/<uuid:import_id>/", import_views.import_detail, name="registry_import"),
    path("imports/<uuid:import_id>/mapping/", import_views.import_remap, name="registry_import_remap"),
    path("imports/<uuid:import_id>/template/", import_views.import_save_template, name="registry_import_save_template"),
    path("imports/<uuid:import_id>/check/", import_views.import_check, name="registry_import_check"),
    path("imports/<uuid:import_id>/approve/", import_views.import_approve, name="registry_import_approve"),
    path("imports/<uuid:import_id>/reject/", import_views.import_reject, name="registry_import_reject"),
    path("imports/<uuid:import_id>/errors.xlsx", import_views.import_errors, name="registry_import_errors"),
    path(
        "imports/templates/<uuid:template_id>/delete/",
        import_views.import_template_delete,
        name="registry_import_template_delete",
    ),
]
