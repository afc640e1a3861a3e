from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = _("Staff back office")

    def ready(self) -> None:
        # Register the outbox handler that e-mails staff messages (explicit module).
        from backoffice import handlers  # noqa: F401
        from backoffice.saved_views import saved_views_ensure

        # A framework hook, as for the staff groups: the default saved views exist after
        # every migrate (and every test flush).
        post_migrate.connect(saved_views_ensure, sender=self)
