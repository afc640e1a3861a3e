from django.urls import path

from sellers import views

app_name = "sellers"

urlpatterns = [
    path(
        "certificates/<int:pk>/document/", views.certificate_document, name="certificate-document"
    ),
    path("claims/<str:reference>/respond/<str:token>/", views.respond, name="respond"),
    path(
        "claims/<str:reference>/respond/<str:token>/insurance/",
        views.insurance_upload,
        name="insurance",
    ),
    path(
        "claims/<str:reference>/insurer/<str:token>/", views.insurer_respond, name="insurer-respond"
    ),
    path("claims/<str:reference>/statement/<str:token>/", views.statement, name="statement"),
    path("claims/<str:reference>/payment/<str:token>/", views.payment, name="payment"),
    path(
        "claims/<str:reference>/statement/<str:token>/appeal/<int:pk>/",
        views.recovery_appeal_view,
        name="recovery-appeal",
    ),
]
