"""Development and `make run`: embedded defaults, demo mode, console e-mail."""

from claims_site.env import env
from claims_site.settings.base import *  # noqa: F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)
DEMO_MODE = env.bool("DEMO_MODE", default=True)
# Demo mode: e-mails are printed on the console and kept for the staff page "Outgoing e-mail".
if DEMO_MODE:
    EMAIL_BACKEND = env("EMAIL_BACKEND", default="portal.mail.DemoCopyEmailBackend")

# The demo pays through the sandbox provider (latency, timeouts, declines); production through
# the bank-file adapter (base.py).
PAYOUT_ADAPTER = env("PAYOUT_ADAPTER", default="payouts.adapters.sandbox.SandboxAdapter")
