"""The integration API's clients and keys (issue 15), added to ``backoffice.urls``."""

from django.urls import path

from api.views import demo_receiver
from backoffice import views_api_clients

urlpatterns = [
    path("api-clients/", views_api_clients.api_clients, name="api-clients"),
    path("api-clients/<int:pk>/keys/", views_api_clients.api_key_issue_view, name="api-key-issue"),
    path("api-clients/demo-webhooks/", demo_receiver.received, name="demo-webhooks"),
    path("api-keys/<int:pk>/revoke/", views_api_clients.api_key_revoke_view, name="api-key-revoke"),
]
