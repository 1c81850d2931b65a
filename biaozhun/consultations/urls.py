"""Public participation pages; mounted at /participation/."""

from django.urls import path

from biaozhun.consultations.views import feeds, public, staff

app_name = "consultations"

urlpatterns = [
    path("", public.transparency, name="transparency"),
    path("consultations/", public.consultation_list, name="list"),
    path("consultations/new/", staff.open_consultation, name="open"),
    path("consultations/<int:pk>/", public.consultation_detail, name="detail"),
    path("consultations/<int:pk>/documents/<slug:which>/", public.consultation_document,
         name="document"),
    path("consultations/<int:pk>/comment/", public.submit_comment, name="comment"),
    path("consultations/<int:pk>/comments/template.xlsx", public.comment_template,
         name="comment_template"),
    path("consultations/<int:pk>/comments/import/", public.import_comments,
         name="import_comments"),
    path("consultations/<int:pk>/dispositions/", staff.dispositions, name="dispositions"),
    path("consultations/<int:pk>/dispositions/<int:comment_pk>/", staff.answer,
         name="answer"),
    path("consultations/<int:pk>/moderation/<int:comment_pk>/", staff.moderate,
         name="moderate"),
    path("consultations/<int:pk>/table/", staff.disposition_table, name="table"),
    path("consultations/<int:pk>/table.<slug:fmt>", staff.disposition_table_file,
         name="table_file"),
    path("comments/verify/<str:token>/", public.verify_comment, name="verify"),
    path("comments/receipt/<str:token>/", public.receipt, name="receipt"),
    path("proposals/", public.proposal_list, name="proposals"),
    path("proposals/new/", public.submit_proposal, name="propose"),
    path("proposals/receipt/<str:token>/", public.proposal_receipt, name="proposal_receipt"),
    path("proposals/<int:pk>/decision/", staff.decide_proposal, name="decide_proposal"),
    path("subscribe/", public.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", public.confirm_subscription,
         name="confirm_subscription"),
    path("unsubscribe/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("feed/", feeds.ConsultationFeed(), name="feed"),
    path("feed/<slug:category>/", feeds.ConsultationFeed(), name="feed_category"),
]
