from django.urls import path

from sellers import views, views_inbox

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
        "claims/<str:reference>/respond/<str:token>/evidence/<int:pk>/",
        views.evidence,
        name="evidence",
    ),
    path(
        "claims/<str:reference>/insurer/<str:token>/", views.insurer_respond, name="insurer-respond"
    ),
    path(
        "claims/<str:reference>/insurer/<str:token>/evidence/<int:pk>/",
        views.insurer_evidence,
        name="insurer-evidence",
    ),
    path("claims/<str:reference>/statement/<str:token>/", views.statement, name="statement"),
    path("claims/<str:reference>/payment/<str:token>/", views.payment, name="payment"),
    path(
        "claims/<str:reference>/statement/<str:token>/appeal/<int:pk>/",
        views.recovery_appeal_view,
        name="recovery-appeal",
    ),
    # The seller's inbox: signed in by a one-time e-mailed link.
    path("sign-in/", views_inbox.sign_in, name="sign-in"),
    path("sign-in/sent/", views_inbox.sign_in_sent, name="sign-in-sent"),
    path("sign-in/link/<str:token>/", views_inbox.sign_in_link, name="sign-in-link"),
    path("sign-out/", views_inbox.sign_out, name="sign-out"),
    path("inbox/", views_inbox.inbox, name="inbox"),
    path("inbox/appeal/<int:pk>/", views_inbox.inbox_appeal, name="inbox-appeal"),
    path("inbox/claims/<str:reference>/", views.inbox_claim, name="inbox-claim"),
    path(
        "inbox/claims/<str:reference>/insurance/",
        views.inbox_insurance,
        name="inbox-insurance",
    ),
    path(
        "inbox/claims/<str:reference>/evidence/<int:pk>/",
        views.inbox_evidence,
        name="inbox-evidence",
    ),
    path("inbox/claims/<str:reference>/payment/", views.inbox_payment, name="inbox-payment"),
]
