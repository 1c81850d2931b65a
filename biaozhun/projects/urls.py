"""Pages of the lifecycle; mounted at /projects/."""

from django.urls import path

from biaozhun.projects.views import dashboard, projects, reviews

app_name = "projects"

urlpatterns = [
    path("", projects.project_list, name="list"),
    path("new/", projects.propose, name="propose"),
    path("my-work/", projects.my_work, name="my_work"),
    path("help/", projects.workflow_help, name="help"),
    path("<int:pk>/", projects.project_detail, name="detail"),
    path("<int:pk>/actions/<slug:action>/", projects.project_action, name="action"),
    path("<int:pk>/documents/", projects.upload_document, name="upload"),
    path("<int:pk>/documents/<int:document_pk>/", projects.download_document,
         name="document"),
    path("<int:pk>/extensions/<int:request_pk>/", projects.decide_extension,
         name="decide_extension"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("numbers/", dashboard.number_sequences, name="numbers"),
    path("reviews/", reviews.campaign_list, name="reviews"),
    path("reviews/due/", reviews.due_for_review, name="reviews_due"),
    path("reviews/new/", reviews.start_campaign, name="review_start"),
    path("reviews/<int:pk>/", reviews.campaign_detail, name="review_campaign"),
    path("reviews/items/<int:pk>/", reviews.conclude, name="review_conclude"),
]
