from django.contrib import admin
from django.urls import include, path

from api.views import demo_receiver
from claims_site import views
from claims_site.second_factor import StaffLoginForm

admin.site.site_header = "Claimdesk"
admin.site.site_title = "Claimdesk"
admin.site.index_title = "Data: inspect and correct"
# The day's work is on /staff/ (the admin's "View site" link and header go there).
admin.site.site_url = "/staff/"
# Password and, for whoever has one (every supervisor must), the second factor.
admin.site.login_form = StaffLoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("claims/", include("claims.urls")),
    # A customer's data export, on their pages and in the staff's (privacy law).
    path("", include("privacy.urls")),
    path("claim/", include("portal.urls")),
    path("sellers/", include("sellers.urls")),
    path("fraud/", include("fraud.urls")),
    path("staff/", include("backoffice.urls")),
    path("api/v1/", include("api.urls")),
    path(
        "api/demo-receiver/<int:endpoint_id>/", demo_receiver.receive, name="demo-webhook-receive"
    ),
]

handler400 = "claims_site.views.bad_request"
handler403 = "claims_site.views.permission_denied"
handler404 = "claims_site.views.page_not_found"
handler500 = "claims_site.views.server_error"
