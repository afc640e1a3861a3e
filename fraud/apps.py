from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FraudConfig(AppConfig):
    name = "fraud"
    verbose_name = _("Fraud review")

    def ready(self) -> None:
        # Register outbox handlers (explicit modules, imported once).
        from fraud import handlers  # noqa: F401
