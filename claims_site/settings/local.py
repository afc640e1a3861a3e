"""Development and `make run`: embedded defaults, demo mode, console e-mail."""

from claims_site.env import env
from claims_site.settings.base import *  # noqa: F403

# Off by default: `make run` is what a person trying the project sees, and Django's technical
# error pages (every URL pattern on a 404, settings on a 500) are not for customers. The
# project's own 400/403/404/500 pages answer instead. DJANGO_DEBUG=1 turns them on for
# development.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Static files without `collectstatic`: whitenoise serves them from the source folders and
# picks up edits (runserver itself serves none: whitenoise.runserver_nostatic).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
DEMO_MODE = env.bool("DEMO_MODE", default=True)
# Demo mode: e-mails are printed on the console and kept for the staff page "Outgoing e-mail".
if DEMO_MODE:
    EMAIL_BACKEND = env("EMAIL_BACKEND", default="portal.mail.DemoCopyEmailBackend")

# The demo pays through the sandbox provider (latency, timeouts, declines); production through
# the bank-file adapter (base.py).
PAYOUT_ADAPTER = env("PAYOUT_ADAPTER", default="payouts.adapters.sandbox.SandboxAdapter")
