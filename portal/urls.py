from django.urls import path

from portal.views import account, claims, demo, payee, wizard

app_name = "portal"

urlpatterns = [
    path("", claims.home, name="home"),
    path("sign-in/", account.sign_in, name="sign-in"),
    path("sign-in/sent/", account.sign_in_sent, name="sign-in-sent"),
    path("sign-in/link/<str:token>/", account.sign_in_link, name="sign-in-link"),
    path("sign-out/", account.sign_out, name="sign-out"),
    path("new/", wizard.new_claim, name="new-claim"),
    path(
        "new/<int:line_id>/<str:step>/",
        wizard.wizard,
        name="wizard",
    ),
    path("c/<str:reference>/", claims.claim_detail, name="claim-detail"),
    path("c/<str:reference>/submitted/", claims.claim_submitted, name="claim-submitted"),
    path("c/<str:reference>/evidence/", claims.claim_evidence, name="claim-evidence"),
    path("c/<str:reference>/answer/", claims.claim_answer, name="claim-answer"),
    path("c/<str:reference>/withdraw/", claims.claim_withdraw_view, name="claim-withdraw"),
    path("c/<str:reference>/appeal/", claims.claim_appeal_view, name="claim-appeal"),
    path("c/<str:reference>/payment-details/", payee.claim_payee, name="claim-payee"),
    path(
        "c/<str:reference>/payment-details/confirm/",
        payee.claim_payee_confirm,
        name="claim-payee-confirm",
    ),
    path(
        "c/<str:reference>/payment-received/",
        claims.claim_party_payment,
        name="claim-party-payment",
    ),
    path(
        "c/<str:reference>/evidence/<int:pk>/",
        claims.evidence_download,
        name="evidence-download",
    ),
    path("staff/outgoing-email/", demo.outgoing_email, name="outgoing-email"),
]
