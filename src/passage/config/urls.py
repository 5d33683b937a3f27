from django.contrib import admin
from django.urls import include, path, re_path

from passage.api.problems import unknown_endpoint
from passage.api.root import api

admin.site.site_header = "Passage — Django admin"

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", unknown_endpoint, name="api_unknown_endpoint"),
    path("django-admin/", admin.site.urls),
    path("registry/", include("passage.registry.urls")),
    path("cases/", include("passage.cases.urls")),
    path("duplicates/", include("passage.matching.urls")),
    path("", include("passage.core.urls")),
]
