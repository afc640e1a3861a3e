from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("Claims")

    def ready(self) -> None:
        # Register outbox handlers (explicit modules, imported once).
        from claims import handlers  # noqa: F401
        from claims.roles import reference_data_after_migrate

        # A framework hook, not domain flow: keep the staff groups in step with permissions.
        post_migrate.connect(reference_data_after_migrate, sender=self)
