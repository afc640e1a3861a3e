from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PayoutsConfig(AppConfig):
    name = "payouts"
    verbose_name = _("Decisions, payouts and the ledger")

    def ready(self) -> None:
        # Register outbox handlers (explicit modules, imported once).
        from payouts import handlers  # noqa: F401
        from payouts.policy import policies_after_migrate

        # A framework hook, not domain flow: every region has an approval policy to edit.
        post_migrate.connect(policies_after_migrate, sender=self)
