from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Customer portal")

    def ready(self) -> None:
        # Register this app's outbox handlers (sign-in e-mails).
        from portal import handlers  # noqa: F401
