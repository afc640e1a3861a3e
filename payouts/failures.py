"""Why a payout failed or came back, in the reader's language.

A provider or the bank's status report gives a code (ISO 20022 ``ExternalStatusReason1Code``
such as ``AC04``, or one of the project's own) and its own text, usually in English. The code
and the text are kept on the payout as data; staff read ``failure_reason``: the label of a code
the project knows, in the active language, or the provider's text for a code it does not know.
``MANUAL`` (a return staff recorded) and ``NARR`` (the bank's reason is its text) carry their
reason in the text, so they have no label. ``FAILURE_CODES`` is the one table of the codes:
each code's label and whether it blames the payee's account (``payout_resend`` reads it too).
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FailureCode:
    """What a failure code means: its label for staff, and whether it says the payee's account
    itself is wrong (sending again to the same details fails the same way, so a payout that
    failed with it is resent only once the payee changed: ``payouts.services.payout_resend``)."""

    label: Promise
    payee_account: bool = False


# Every failure code the project knows, once. ISO 20022 reason codes as the sandbox, the
# provider and the bank's pain.002 files give them, then the project's own. Codes for a passing
# reason (TEMPFAIL: timeouts, the provider unavailable; DU01...) stay resendable as they are.
FAILURE_CODES: dict[str, FailureCode] = {
    # ISO 20022 reasons a bank's status report (pain.002) or a provider gives
    "AC01": FailureCode(_("The account number is incorrect."), payee_account=True),
    "AC03": FailureCode(_("The payee's account number is invalid or missing."), payee_account=True),
    "AC04": FailureCode(_("The bank account is closed."), payee_account=True),
    "AC06": FailureCode(_("The bank account is blocked."), payee_account=True),
    "AC07": FailureCode(_("The bank account is closed."), payee_account=True),
    # the sandbox: a card that declines
    "AG01": FailureCode(
        _("The payment is not allowed to this account or card."), payee_account=True
    ),
    "AM04": FailureCode(_("Not enough funds in the paying account.")),
    "AM05": FailureCode(_("The payment was a duplicate.")),
    "BE01": FailureCode(
        _("The account holder's name does not match the account."), payee_account=True
    ),
    "BE04": FailureCode(_("The payee's address is missing or wrong.")),
    "DU01": FailureCode(_("This payment key was already used for a different amount.")),
    "MD07": FailureCode(_("The account holder has died."), payee_account=True),
    "MS02": FailureCode(_("The payee refused the payment.")),
    "MS03": FailureCode(_("The bank gave no reason.")),
    # routing number, BIC
    "RC01": FailureCode(_("The bank code is incorrect."), payee_account=True),
    # the project's own (payouts.adapters, payouts.services)
    # the pain.001 adapter: a card token, which a bank transfer cannot pay
    "NOAC": FailureCode(_("A card cannot be paid by bank transfer."), payee_account=True),
    "NOPAYEE": FailureCode(_("The customer has no payment details.")),
    "TEMPFAIL": FailureCode(
        _("The payment provider could not be reached; every attempt was used.")
    ),
    "WAITPAYEE": FailureCode(_("Waiting for the customer's payment details.")),
    "PAYEEHOLD": FailureCode(_("New payment details: held for their cooling-off period.")),
}


def _known(code: str) -> FailureCode | None:
    return FAILURE_CODES.get((code or "").strip().upper())


def failure_blames_payee_account(code: str) -> bool:
    """Whether a failure with ``code`` says the payee's account itself is wrong."""
    known = _known(code)
    return known is not None and known.payee_account


def failure_reason(code: str, message: str = "") -> str:
    """What a failure with ``code`` and the provider's ``message`` reads as to staff: the
    code's label in the active language, else the provider's text, else the code."""
    known = _known(code)
    if known is not None:
        return str(known.label)
    return message or code


def payout_failed_text(*, key: str, code: str, message: str) -> str:
    """The timeline's note for a payout that failed (written, then read in each reader's
    language from the event's data)."""
    return gettext("Payout %(key)s failed (%(code)s): %(message)s") % {
        "key": key,
        "code": code,
        "message": failure_reason(code, message),
    }


def payout_returned_text(*, key: str, code: str, message: str) -> str:
    """The timeline's text for a payout the bank returned."""
    return gettext("Payout %(key)s returned (%(code)s) %(reason)s") % {
        "key": key,
        "code": code,
        "reason": failure_reason(code, message),
    }


def payout_step_text(event) -> str:
    """A step in the payout's own history (the payout's page), in the reader's language: a
    sending's failure or a return as its label only, as the page's status reads it (the code
    and the provider's text stay data); a resend with what staff wrote; any other step as the
    timeline says it."""
    data = event.data or {}
    if "payout_key" in data and "failure_code" in data:
        return gettext("That sending failed: %(reason)s") % {
            "reason": failure_reason(data["failure_code"], data.get("message", ""))
        }
    if "payout_key" in data and "return_code" in data:
        return gettext("The bank returned it: %(reason)s") % {
            "reason": failure_reason(data["return_code"], data.get("message", ""))
        }
    if data.get("payout_action") == "resend":
        return gettext("Resent: %(reason)s") % {"reason": event.reason}
    return payout_event_text(event)


def payout_event_text(event) -> str:
    """A claim event's text in the reader's language when it tells of a payout that failed or
    came back (its data holds the payout's key, code and the provider's text); else the text
    stored with it (events written before their data held these)."""
    data = event.data or {}
    if "payout_key" not in data:
        return event.reason
    if "failure_code" in data:
        return payout_failed_text(
            key=data["payout_key"], code=data["failure_code"], message=data.get("message", "")
        )
    if "return_code" in data:
        return payout_returned_text(
            key=data["payout_key"], code=data["return_code"], message=data.get("message", "")
        )
    return event.reason
