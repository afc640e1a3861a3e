"""Settings for worker processes whose e-mails a test must count: the test settings, with the
file e-mail backend writing into ``EMAIL_FILE_PATH`` (the locmem outbox of another process is
out of the test's reach)."""

import os

from claims_site.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
ESCALATION_BATCH_SIZE = int(os.environ.get("ESCALATION_BATCH_SIZE", "1000"))
