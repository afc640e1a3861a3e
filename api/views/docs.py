"""The schema and the interactive docs. Their JavaScript and CSS are drf-spectacular-sidecar's
static files (no CDN); Swagger UI's start script is served from its own URL, so the page needs
no inline script. Swagger UI sets inline styles, so the docs page alone allows them."""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny


class Schema(SpectacularAPIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []


@method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class Docs(SpectacularSwaggerSplitView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []
    url_name = "api:schema"
