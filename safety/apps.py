from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safety"
    verbose_name = _("Product safety")

    def ready(self) -> None:
        from safety import handlers  # noqa: F401  (registers the outbox handlers)
        from safety.rules import regulators_after_migrate

        post_migrate.connect(regulators_after_migrate, sender=self)
