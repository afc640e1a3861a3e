from django.urls import path

from backoffice import views, views_certificates, views_claim, views_medical

app_name = "backoffice"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("export.csv", views.queue_export, name="queue-export"),
    path("bulk/", views.queue_bulk, name="queue-bulk"),
    path("take-next/", views_claim.take_next, name="take-next"),
    path("claims/<int:pk>/", views_claim.claim_detail, name="claim"),
    path("claims/<int:pk>/move/<str:to>/", views_claim.claim_move, name="claim-move"),
    path("claims/<int:pk>/note/", views_claim.claim_note, name="claim-note"),
    path("claims/<int:pk>/message/", views_claim.claim_message, name="claim-message"),
    path("claims/<int:pk>/assign/", views_claim.claim_assign_view, name="claim-assign"),
    path("claims/<int:pk>/tag/", views_claim.claim_tag, name="claim-tag"),
    path(
        "claims/<int:pk>/evidence/<int:evidence_pk>/share/",
        views_claim.claim_evidence_share,
        name="claim-evidence-share",
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("safety/", views.safety, name="safety"),
    path("medical-access/", views_medical.medical_access_log, name="medical-access"),
    path("safety/<int:pk>/", views.safety_alert_update, name="safety-alert"),
    path("certificates/", views_certificates.certificate_queue, name="certificates"),
    path("certificates/<int:pk>/", views_certificates.certificate_detail, name="certificate"),
    path(
        "certificates/<int:pk>/document/",
        views_certificates.certificate_document,
        name="certificate-document",
    ),
    path(
        "certificates/<int:pk>/verify/",
        views_certificates.certificate_verify_view,
        name="certificate-verify",
    ),
    path(
        "certificates/<int:pk>/refuse/",
        views_certificates.certificate_refuse_view,
        name="certificate-refuse",
    ),
]
