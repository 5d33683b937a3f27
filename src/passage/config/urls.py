from django.contrib import admin
from django.urls import include, path

from passage.api.root import api

admin.site.site_header = "Passage — Django admin"

urlpatterns = [
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
    path("", include("passage.core.urls")),
]
