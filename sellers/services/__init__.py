"""Writes of the seller journey, by subdomain. Import from the submodules:

- ``responses``: notifying the seller, answers (versions), insurer hand-off, insurance proof;
- ``escalation``: the deadline sweeper, overruling a rejection, the insurance-proof window;
- ``recoveries``: opening, withholding, settling, appeals (the ledger hooks in here);
- ``reminders``: response-deadline and certificate-expiry reminders.
"""
