from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def reference_data_after_migrate(sender, **kwargs) -> None:
    """The rules' defaults and the scoring policy exist from the first migrate (a framework
    hook, not domain flow); rules added to the code later appear the same way."""
    from fraud.scoring import rules_ensure, scoring_policy

    rules_ensure()
    scoring_policy()


class FraudConfig(AppConfig):
    name = "fraud"
    verbose_name = _("Fraud review")

    def ready(self) -> None:
        # Register outbox handlers (explicit modules, imported once).
        from fraud import handlers  # noqa: F401

        post_migrate.connect(reference_data_after_migrate, sender=self)
