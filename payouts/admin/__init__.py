"""The admin for decisions, payouts and the ledger.

Inspection is read-only; every action and form calls a service and reports through messages.
Payee details are never shown in full anywhere: only the kind and the last four characters.
"""

from payouts.admin import decisions, money  # noqa: F401 - registers the admin classes
