from django.urls import path, re_path

from api.views import certificates, claims, docs, events, ingest, payments, respond
from api.views.errors import not_found

app_name = "api"

urlpatterns = [
    path("schema/", docs.Schema.as_view(), name="schema"),
    path("docs/", docs.Docs.as_view(), name="docs"),
    path("customers/", ingest.customers.as_view(), name="customers"),
    path("customers/batch/", ingest.customers_batch.as_view(), name="customers-batch"),
    path("sellers/", ingest.sellers.as_view(), name="sellers"),
    path("sellers/batch/", ingest.sellers_batch.as_view(), name="sellers-batch"),
    path("seller-gross/batch/", ingest.gross_batch.as_view(), name="seller-gross-batch"),
    path("products/", ingest.products.as_view(), name="products"),
    path("products/batch/", ingest.products_batch.as_view(), name="products-batch"),
    path("orders/", ingest.orders.as_view(), name="orders"),
    path("orders/batch/", ingest.orders_batch.as_view(), name="orders-batch"),
    path("order-lines/", ingest.order_lines.as_view(), name="order-lines"),
    path("order-lines/batch/", ingest.order_lines_batch.as_view(), name="order-lines-batch"),
    path("claims/", claims.ClaimList.as_view(), name="claims"),
    path("claims/<str:reference>/", claims.ClaimDetail.as_view(), name="claim"),
    path("claims/<str:reference>/responses/", respond.ClaimRespond.as_view(), name="claim-respond"),
    path("claims/<str:reference>/payment/", respond.ClaimPayment.as_view(), name="claim-payment"),
    path("certificates/", certificates.Certificates.as_view(), name="certificates"),
    path(
        "payouts/<str:payout_id>/status/",
        payments.PayoutStatusReport.as_view(),
        name="payout-status",
    ),
    path("events/", events.Events.as_view(), name="events"),
    path("webhooks/endpoints/", events.Endpoints.as_view(), name="webhook-endpoints"),
    path(
        "webhooks/endpoints/<int:pk>/rotate-secret/",
        events.EndpointRotate.as_view(),
        name="webhook-endpoint-rotate",
    ),
    # Anything else under /api/v1/ is a problem document, not the site's HTML 404 page.
    re_path(r"^.*$", not_found, name="not-found"),
]
