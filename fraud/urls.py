"""The adjuster's pages (a secure link, no account). The analysts' pages moved into the staff
app's Fraud area (/staff/fraud/); their old addresses redirect there, query string and all."""

from django.urls import path
from django.views.generic import RedirectView

from fraud import views

app_name = "fraud"


def moved(name: str) -> RedirectView:
    return RedirectView.as_view(
        pattern_name=f"backoffice:{name}", permanent=True, query_string=True
    )


urlpatterns = [
    path("", moved("fraud-queue")),
    path("claims/<int:pk>/", moved("fraud-claim")),
    path("watchlist/", moved("fraud-watchlist")),
    path("rules/", moved("fraud-rules")),
    path("rules/<slug:code>/", moved("fraud-rule-edit")),
    path("performance/", moved("fraud-performance")),
    path("adjuster/<str:token>/", views.adjuster, name="adjuster"),
    path(
        "adjuster/<str:token>/evidence/<int:pk>/", views.adjuster_evidence, name="adjuster-evidence"
    ),
]
