"""Why a payout failed or came back, in the reader's language.

A provider or the bank's status report gives a code (ISO 20022 ``ExternalStatusReason1Code``
such as ``AC04``, or one of the project's own) and its own text, usually in English. The code
and the text are kept on the payout as data; staff read ``failure_reason``: the label of a code
the project knows, in the active language, or the provider's text for a code it does not know.
``MANUAL`` (a return staff recorded) and ``NARR`` (the bank's reason is its text) carry their
reason in the text, so they have no label.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FAILURE_LABELS = {
    # ISO 20022 reasons a bank's status report (pain.002) or a provider gives
    "AC01": _("The account number is incorrect."),
    "AC04": _("The bank account is closed."),
    "AC06": _("The bank account is blocked."),
    "AG01": _("The payment is not allowed to this account or card."),
    "AM04": _("Not enough funds in the paying account."),
    "AM05": _("The payment was a duplicate."),
    "BE04": _("The payee's address is missing or wrong."),
    "DU01": _("This payment key was already used for a different amount."),
    "MD07": _("The account holder has died."),
    "MS02": _("The payee refused the payment."),
    "MS03": _("The bank gave no reason."),
    "RC01": _("The bank code is incorrect."),
    # the project's own (payouts.adapters, payouts.services)
    "NOAC": _("A card cannot be paid by bank transfer."),
    "NOPAYEE": _("The customer has no payment details."),
    "TEMPFAIL": _("The payment provider could not be reached; every attempt was used."),
    "WAITPAYEE": _("Waiting for the customer's payment details."),
    "PAYEEHOLD": _("New payment details: held for their cooling-off period."),
}


def failure_reason(code: str, message: str = "") -> str:
    """What a failure with ``code`` and the provider's ``message`` reads as to staff: the
    code's label in the active language, else the provider's text, else the code."""
    label = FAILURE_LABELS.get(code.strip().upper())
    if label is not None:
        return str(label)
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
