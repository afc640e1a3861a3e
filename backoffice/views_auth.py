"""Staff sign-in at /staff/login/: the admin's own form (password, lockout, second factor).

The lockout (django-axes) sits in the authentication backend, so it guards every sign-in form
that calls ``authenticate(request=...)``, this one as much as the admin's; the second factor is
the same ``StaffLoginForm`` (``claims_site/second_factor.py``). Signed in, staff land on the
queue (or the page that sent them here).
"""

from django.contrib.auth import views as auth_views
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods

from claims_site.second_factor import StaffLoginForm


@method_decorator(require_http_methods(["GET", "HEAD", "POST"]), name="dispatch")
class StaffLoginView(auth_views.LoginView):
    form_class = StaffLoginForm
    template_name = "backoffice/login.html"

    def get_default_redirect_url(self) -> str:
        return reverse("backoffice:queue")


class StaffLogoutView(auth_views.LogoutView):
    next_page = "backoffice:login"


staff_login = StaffLoginView.as_view()
staff_logout = StaffLogoutView.as_view()
