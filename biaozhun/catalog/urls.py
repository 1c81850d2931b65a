from django.urls import path

from biaozhun.catalog import views

app_name = "catalog"

urlpatterns = [
    path("standards/", views.standard_list, name="standard_list"),
    path("standards/export", views.standard_export, name="standard_export"),
    path("standards/<path:code>", views.standard_detail, name="standard_detail"),
    path("text/<path:code>", views.standard_text, name="standard_text"),
    path("ics/", views.ics_list, name="ics_list"),
    path("ics/<str:code>/", views.ics_detail, name="ics_detail"),
    path("ccs/", views.ccs_list, name="ccs_list"),
    path("ccs/<str:code>/", views.ccs_detail, name="ccs_detail"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/<int:pk>/", views.committee_detail, name="committee_detail"),
]
