from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = _("Staff back office")

    def ready(self) -> None:
        # Register the outbox handler that e-mails staff messages (explicit module).
        from backoffice import handlers  # noqa: F401
