from django.urls import path

from biaozhun.validity import views

app_name = "validity"

urlpatterns = [
    path("", views.check, name="check"),
    path("reports/", views.my_reports, name="my_reports"),
    path("watch-lists/", views.watch_lists, name="watch_lists"),
    path("watch-lists/<int:pk>/", views.watch_list, name="watch_list"),
    path("watch-lists/<int:pk>/delete", views.watch_list_delete, name="watch_list_delete"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read", views.notifications_read, name="notifications_read"),
    path("<uuid:pk>/", views.report, name="report"),
    path("<uuid:pk>/progress", views.progress, name="progress"),
    path("<uuid:pk>/report.<str:fmt>", views.download, name="download"),
    path("<uuid:pk>/delete", views.delete, name="delete"),
    path("<uuid:pk>/watch", views.watch, name="watch"),
]
