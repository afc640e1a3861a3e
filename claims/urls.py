from django.urls import path

from claims import views

app_name = "claims"

urlpatterns = [
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
]
