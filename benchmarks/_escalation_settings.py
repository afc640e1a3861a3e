"""Settings of the benchmark's worker: the test settings, with the notification deliveries the
job publishes routed to a queue this worker does not consume (their e-mails are other work)."""

from claims_site.settings.test import *  # noqa: F403

CELERY_TASK_ROUTES = {"claims.tasks.outbox_deliver_many": {"queue": "outbox"}}
