from django.urls import path

from backoffice import views, views_certificates, views_claim, views_notifications, views_safety
from backoffice.urls_api_clients import urlpatterns as api_client_urls

app_name = "backoffice"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("export.csv", views.queue_export, name="queue-export"),
    path("bulk/", views.queue_bulk, name="queue-bulk"),
    path("take-next/", views_claim.take_next, name="take-next"),
    path("suggest/sellers/", views.suggest, {"kind": "seller"}, name="suggest-sellers"),
    path("suggest/products/", views.suggest, {"kind": "product"}, name="suggest-products"),
    path("search/", views.search, name="search"),
    path("notifications/", views_notifications.notifications, name="notifications"),
    path("notifications/read/", views_notifications.notifications_read, name="notifications-read"),
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
    path(
        "claims/<int:pk>/assign-to-me/",
        views_claim.claim_assign_to_me_view,
        name="claim-assign-to-me",
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("safety/", views_safety.safety, name="safety"),
    path("safety/<int:pk>/", views_safety.safety_alert, name="safety-alert"),
    path("safety/<int:pk>/move/", views_safety.safety_alert_move, name="safety-alert-move"),
    path("safety/<int:pk>/report/", views_safety.safety_report, name="safety-report"),
    path("safety/<int:pk>/report.pdf", views_safety.safety_report_pdf, name="safety-report-pdf"),
    path("safety/<int:pk>/report.csv", views_safety.safety_report_csv, name="safety-report-csv"),
    path("safety/<int:pk>/file/", views_safety.safety_report_file, name="safety-report-file"),
    path("safety/facts/<int:claim_pk>/", views_safety.safety_facts, name="safety-facts"),
    path("safety/recalls/", views_safety.safety_recalls, name="safety-recalls"),
    path("safety/listings/", views_safety.safety_listings, name="safety-listings"),
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
urlpatterns += api_client_urls
