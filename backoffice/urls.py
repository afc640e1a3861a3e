"""The staff app, by area: Claims, Decisions, Money, Sellers, Fraud, Safety, Dashboard.

URL names start with their area (``queue``/``claim…``, ``decision…``,
``money``/``payout``/``payee…``, ``seller``/``recover…``/``certificate…``, ``fraud-…``), which
the nav uses to mark where the reader is (``backoffice.templatetags.backoffice.staff_area``)."""

from django.urls import path

from backoffice import (
    views,
    views_auth,
    views_certificates,
    views_claim,
    views_decisions,
    views_fraud,
    views_medical,
    views_money,
    views_notifications,
    views_safety,
    views_sellers,
)
from backoffice.urls_api_clients import urlpatterns as api_client_urls

app_name = "backoffice"

urlpatterns = [
    path("login/", views_auth.staff_login, name="login"),
    path("logout/", views_auth.staff_logout, name="logout"),
    # Claims: the queue and the workspace
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
        "claims/<int:pk>/evidence/add/",
        views_claim.claim_evidence_add_view,
        name="claim-evidence-add",
    ),
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
    path("medical-access/", views_medical.medical_access_log, name="medical-access"),
    path("safety/<int:pk>/", views_safety.safety_alert, name="safety-alert"),
    path("safety/<int:pk>/move/", views_safety.safety_alert_move, name="safety-alert-move"),
    path("safety/<int:pk>/report/", views_safety.safety_report, name="safety-report"),
    path("safety/<int:pk>/report.pdf", views_safety.safety_report_pdf, name="safety-report-pdf"),
    path("safety/<int:pk>/report.csv", views_safety.safety_report_csv, name="safety-report-csv"),
    path("safety/<int:pk>/file/", views_safety.safety_report_file, name="safety-report-file"),
    path("safety/<int:pk>/written/", views_safety.safety_written_file, name="safety-written-file"),
    path("safety/facts/<int:claim_pk>/", views_safety.safety_facts, name="safety-facts"),
    path("safety/recalls/", views_safety.safety_recalls, name="safety-recalls"),
    path("safety/listings/", views_safety.safety_listings, name="safety-listings"),
    path("claims/<int:pk>/seller-link/", views_sellers.claim_seller_link, name="claim-seller-link"),
    # Decisions
    path("decisions/", views_decisions.decisions, name="decisions"),
    path(
        "decisions/approvals/<int:pk>/",
        views_decisions.decision_approval,
        name="decision-approval",
    ),
    path("decisions/qa/<int:pk>/", views_decisions.qa_sample, name="qa-sample"),
    # Money
    path("money/", views_money.money, name="money"),
    path("money/reconciliation/", views_money.money_reconciliation, name="money-reconciliation"),
    path("money/payouts/<int:pk>/", views_money.payout_detail, name="payout"),
    path("money/payouts/<int:pk>/resend/", views_money.payout_resend_view, name="payout-resend"),
    path("money/payouts/<int:pk>/cancel/", views_money.payout_cancel_view, name="payout-cancel"),
    path("money/payouts/<int:pk>/return/", views_money.payout_return_view, name="payout-return"),
    path(
        "money/customers/<int:customer_pk>/payee/",
        views_money.payee_change_request_view,
        name="payee-change-request",
    ),
    path("money/payee-changes/<int:pk>/", views_money.payee_change_decide, name="payee-change"),
    # Sellers
    path("sellers/", views_sellers.sellers, name="sellers"),
    path("sellers/recoveries/<int:pk>/", views_sellers.recovery_detail, name="recovery"),
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
    # Fraud
    path("fraud/", views_fraud.queue, name="fraud-queue"),
    path("fraud/next/", views_fraud.next_case, name="fraud-next-case"),
    path("fraud/claims/<int:pk>/", views_fraud.claim_detail, name="fraud-claim"),
    path("fraud/claims/<int:pk>/decide/", views_fraud.decide, name="fraud-decide"),
    path("fraud/claims/<int:pk>/reassign/", views_fraud.reassign, name="fraud-reassign"),
    path("fraud/watchlist/", views_fraud.watchlist, name="fraud-watchlist"),
    path("fraud/watchlist/<int:pk>/end/", views_fraud.watchlist_end, name="fraud-watchlist-end"),
    path("fraud/rules/", views_fraud.rules, name="fraud-rules"),
    path("fraud/rules/<slug:code>/", views_fraud.rule_edit, name="fraud-rule-edit"),
    path("fraud/performance/", views_fraud.performance, name="fraud-performance"),
]
urlpatterns += api_client_urls
