from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from biaozhun.api.urls import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("biaozhun.accounts.urls")),
    path("check/", include("biaozhun.validity.urls")),
    path("search/", include("biaozhun.search.urls")),
    path("projects/", include("biaozhun.projects.urls")),
    path("participation/", include("biaozhun.consultations.urls")),
    path("", include("biaozhun.portal.urls")),
    path("", include("biaozhun.catalog.urls")),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
