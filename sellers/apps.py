from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SellersConfig(AppConfig):
    name = "sellers"
    verbose_name = _("Sellers")

    def ready(self) -> None:
        # Register the seller journey's outbox handlers (explicit module, imported once).
        from sellers import handlers  # noqa: F401
