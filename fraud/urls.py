from django.urls import path

from fraud import views

app_name = "fraud"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("next/", views.next_case, name="next-case"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/decide/", views.decide, name="decide"),
    path("claims/<int:pk>/reassign/", views.reassign, name="reassign"),
    path("watchlist/", views.watchlist, name="watchlist"),
    path("watchlist/<int:pk>/end/", views.watchlist_end, name="watchlist-end"),
    path("rules/", views.rules, name="rules"),
    path("rules/<slug:code>/", views.rule_edit, name="rule-edit"),
    path("performance/", views.performance, name="performance"),
    path("adjuster/<str:token>/", views.adjuster, name="adjuster"),
    path(
        "adjuster/<str:token>/evidence/<int:pk>/", views.adjuster_evidence, name="adjuster-evidence"
    ),
]
