from django.urls import path

from passage.registry import views

urlpatterns = [
    path("people/", views.people, name="registry_people"),
    path("people/<uuid:person_id>/", views.person, name="registry_person"),
    path("households/<uuid:household_id>/", views.household, name="registry_household"),
    path("register/", views.register, name="registry_register"),
    path("register/member-form/", views.member_form, name="registry_member_form"),
    path("register/check/", views.register_check, name="registry_register_check"),
]
