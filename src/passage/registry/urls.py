from django.urls import include, path

from passage.registry import export_views, import_views, person_views, views

urlpatterns = [
    path("people/", views.people, name="registry_people"),
    path("people/<uuid:person_id>/", views.person, name="registry_person"),
    path("households/<uuid:household_id>/", views.household, name="registry_household"),
    path("register/", views.register, name="registry_register"),
    path("register/member-form/", views.member_form, name="registry_member_form"),
    path("register/check/", views.register_check, name="registry_register_check"),
    path("register/places/", views.place_search, name="registry_place_search"),
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
    path("people/export/", export_views.people_export, name="registry_people_export"),
    path("aggregates/", export_views.aggregates, name="registry_aggregates"),
    path("aggregates/hxl/", export_views.aggregates_hxl, name="registry_aggregates_hxl"),
    # After registration: corrections, status, households over time, consent, photo (registry.person_views).
    path("people/<uuid:person_id>/edit/", person_views.edit, name="registry_person_edit"),
    path("people/<uuid:person_id>/edit/check/", person_views.edit_check, name="registry_person_edit_check"),
    path("people/<uuid:person_id>/status/", person_views.status, name="registry_person_status"),
    path("people/<uuid:person_id>/move/", person_views.move, name="registry_person_move"),
    path("people/<uuid:person_id>/leave/", person_views.leave, name="registry_person_leave"),
    path("people/<uuid:person_id>/consent/", person_views.consent, name="registry_person_consent"),
    path(
        "people/<uuid:person_id>/consent/<uuid:consent_id>/withdraw/",
        person_views.consent_withdraw,
        name="registry_consent_withdraw",
    ),
    path("people/<uuid:person_id>/photo/", person_views.photo, name="registry_person_photo"),
    path("people/<uuid:person_id>/photo/change/", person_views.photo_upload, name="registry_person_photo_upload"),
    path("people/<uuid:person_id>/photo/remove/", person_views.photo_remove, name="registry_person_photo_remove"),
    path("households/<uuid:household_id>/head/", person_views.household_head, name="registry_household_head"),
    path("groups/", include("passage.registry.group_urls")),  # groups and communities (registry.group_views)
]
