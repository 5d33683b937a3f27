"""URLs of groups and communities (included under /registry/groups/ by registry.urls)."""

from django.urls import path

from passage.registry import group_views as views

urlpatterns = [
    path("", views.groups, name="registry_groups"),
    path("new/", views.create, name="registry_group_create"),
    path("<uuid:group_id>/", views.group, name="registry_group"),
    path("<uuid:group_id>/edit/", views.edit, name="registry_group_edit"),
    path("<uuid:group_id>/dissolve/", views.dissolve, name="registry_group_dissolve"),
    path("<uuid:group_id>/members/add/", views.member_add, name="registry_group_member_add"),
    path("<uuid:group_id>/members/find/", views.person_picker, name="registry_group_person_picker"),
    path("<uuid:group_id>/members/<uuid:membership_id>/", views.membership, name="registry_group_membership"),
    path("<uuid:group_id>/members/<uuid:membership_id>/end/", views.member_end, name="registry_group_member_end"),
    path("<uuid:group_id>/members/<uuid:membership_id>/role/", views.member_role, name="registry_group_member_role"),
    path("<uuid:group_id>/representative/", views.representative, name="registry_group_representative"),
    path("<uuid:group_id>/households/add/", views.household_add, name="registry_group_household_add"),
    path("<uuid:group_id>/households/<uuid:link_id>/end/", views.household_end, name="registry_group_household_end"),
]
