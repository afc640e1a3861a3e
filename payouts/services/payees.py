"""Payee details: where a customer's money goes. Stored with only what the adapter needs,
masked whenever shown, and every change is an append-only ``PayeeEvent``."""

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.actors import Actor
from payouts.exceptions import PayoutError
from payouts.models import PayeeDetails, PayeeEvent, PayeeKind


def _clean(*, kind: str, holder_name: str, bank_code: str, account_number: str, card_token: str):
    holder_name = holder_name.strip()
    bank_code = re.sub(r"\s+", "", bank_code).upper()
    account_number = re.sub(r"[\s-]+", "", account_number).upper()
    card_token = card_token.strip()
    errors = []
    if not holder_name:
        errors.append(_("Enter the account holder's name."))
    if kind == PayeeKind.BANK_ACCOUNT:
        if not re.fullmatch(r"\d{9}|[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?", bank_code):
            errors.append(_("Enter a 9-digit routing number or a BIC."))
        if not re.fullmatch(r"[A-Z0-9]{4,34}", account_number):
            errors.append(_("Enter an account number or IBAN (4 to 34 letters and digits)."))
        card_token = ""
    elif kind == PayeeKind.CARD_TOKEN:
        if not re.fullmatch(r"tok_[A-Za-z0-9_]{8,60}", card_token):
            errors.append(_("Enter the card token the card network issued (tok_…)."))
        bank_code = account_number = ""
    else:
        errors.append(_("Choose a bank account or a card token."))
    if errors:
        raise PayoutError(" ".join(errors))
    return holder_name, bank_code, account_number, card_token


def payee_set(
    *,
    customer,
    actor: Actor,
    kind: str,
    holder_name: str,
    bank_code: str = "",
    account_number: str = "",
    card_token: str = "",
    reason: str = "",
) -> PayeeDetails:
    """Create or replace a customer's payee details; records a masked before/after event."""
    holder_name, bank_code, account_number, card_token = _clean(
        kind=kind,
        holder_name=holder_name,
        bank_code=bank_code,
        account_number=account_number,
        card_token=card_token,
    )
    with transaction.atomic():
        payee = PayeeDetails.objects.select_for_update().filter(customer=customer).first()
        before = str(payee) if payee else ""
        if payee is None:
            payee = PayeeDetails(customer=customer)
        payee.kind = kind
        payee.holder_name = holder_name
        payee.bank_code = bank_code
        payee.account_number = account_number
        payee.card_token = card_token
        payee.updated_at = timezone.now()
        payee.full_clean(exclude=["customer"])
        payee.save()
        PayeeEvent.objects.create(
            customer=customer,
            actor=actor.user,
            actor_label=actor.label,
            before=before,
            after=str(payee),
            reason=reason,
        )
        _fraud_fingerprint(customer=customer, payee=payee)
    return payee


def payee_fingerprint(payee: PayeeDetails) -> str:
    """A stable, keyed hash of where the money goes: equal for equal accounts, and useless to
    anyone without the project's secret key (the fraud rules compare it, never the number)."""
    import hashlib
    import hmac

    from django.conf import settings

    target = f"{payee.kind}:{payee.bank_code}:{payee.account_number}:{payee.card_token}"
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, target.encode(), hashlib.sha256).hexdigest()[:32]


def _fraud_fingerprint(*, customer, payee: PayeeDetails) -> None:
    """Tell the fraud rules which payout account the customer's open claims now point to."""
    from claims.models import FINISHED_STATUSES, Claim
    from fraud.scoring import fraud_attributes_record

    fingerprint = payee_fingerprint(payee)
    for claim in Claim.objects.filter(customer=customer).exclude(status__in=FINISHED_STATUSES):
        fraud_attributes_record(claim=claim, payout_fingerprint=fingerprint)
