"""Checking bank details before anyone is paid to them.

One function per scheme reads what a person typed, checks it the way the scheme's own rules do
and returns it normalised, or raises ``BankDetailsInvalid`` with a message per field (the forms
put each under its field, keep what was typed and change nothing):

- US: the 9-digit ABA routing number with its checksum (3-7-1 weights, mod 10) and its Federal
  Reserve prefix, and an account number of 4 to 17 digits.
- Canada: the 5-digit transit (branch) number, the 3-digit institution number and an account
  number of 7 to 12 digits; sent as the CPA routing number ``0`` + institution + transit.
- UK: the 6-digit sort code and the 8-digit account number.
- IBAN (EU, and UK customers who prefer it): checked with schwifty (country, length, national
  structure, check digits); the BIC is optional when schwifty knows the bank, checked when given.

Which schemes a claim offers follows its currency (``schemes_for_currency``).
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from payouts.exceptions import PayoutError
from payouts.models import PayeeScheme

SCHEMES_BY_CURRENCY = {
    "USD": [PayeeScheme.US_ABA],
    "CAD": [PayeeScheme.CA_EFT],
    "GBP": [PayeeScheme.UK_SORT, PayeeScheme.IBAN],
    "EUR": [PayeeScheme.IBAN],
}

# The fields each scheme asks for, in the order shown.
SCHEME_FIELDS = {
    PayeeScheme.US_ABA: ["holder_name", "routing_number", "account_number"],
    PayeeScheme.CA_EFT: ["holder_name", "transit_number", "institution_number", "account_number"],
    PayeeScheme.UK_SORT: ["holder_name", "sort_code", "account_number"],
    PayeeScheme.IBAN: ["holder_name", "iban", "bic"],
}


def schemes_for_currency(currency: str) -> list[str]:
    return list(SCHEMES_BY_CURRENCY.get(currency, [PayeeScheme.IBAN]))


# What a refusal is, for a form that words it for someone other than the account holder
# (BankDetailsForm.reworded): the check is the same, only the message differs.
ROUTING_NOT_VALID = "routing_not_valid"


class BankDetailsInvalid(PayoutError):
    """``errors``: a message per field, said to the account holder; ``codes``: the kind of a
    refusal, per field, where a form may say it otherwise."""

    def __init__(self, errors: dict[str, str], codes: dict[str, str] | None = None):
        self.errors = errors
        self.codes = codes or {}
        super().__init__(" ".join(str(e) for e in errors.values()))


@dataclass(frozen=True)
class BankDetails:
    """Normalised details, ready for ``PayeeDetails`` (kind: bank account)."""

    scheme: str
    holder_name: str
    bank_code: str
    account_number: str

    @property
    def last4(self) -> str:
        return self.account_number[-4:]


def _digits(value: str) -> str:
    return re.sub(r"[\s-]+", "", value or "")


def aba_routing_valid(routing: str) -> bool:
    """The ABA checksum: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) is a multiple of 10, and the
    first two digits are a Federal Reserve routing symbol (00-12, 21-32, 61-72, 80)."""
    if not re.fullmatch(r"\d{9}", routing):
        return False
    prefix = int(routing[:2])
    if not (prefix <= 12 or 21 <= prefix <= 32 or 61 <= prefix <= 72 or prefix == 80):
        return False
    d = [int(c) for c in routing]
    total = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])
    return total % 10 == 0


def _holder(data: dict, errors: dict) -> str:
    name = " ".join((data.get("holder_name") or "").split())
    if not name:
        errors["holder_name"] = _("Enter the name on the account.")
    elif len(name) > 140:
        errors["holder_name"] = _("Enter at most 140 characters.")
    elif any(ord(c) < 32 for c in name):
        errors["holder_name"] = _("Enter the name without special characters.")
    return name


def bank_details_parse(*, scheme: str, data: dict) -> BankDetails:
    """Check and normalise the fields of ``scheme`` in ``data``; raises ``BankDetailsInvalid``."""
    errors: dict[str, str] = {}
    codes: dict[str, str] = {}
    holder = _holder(data, errors)
    bank_code = account = ""
    if scheme == PayeeScheme.US_ABA:
        routing = _digits(data.get("routing_number", ""))
        account = _digits(data.get("account_number", ""))
        if not re.fullmatch(r"\d{9}", routing):
            errors["routing_number"] = _("Enter the 9-digit routing number.")
        elif not aba_routing_valid(routing):
            errors["routing_number"] = _(
                "This routing number is not valid: check the 9 digits on your cheque or bank app."
            )
            codes["routing_number"] = ROUTING_NOT_VALID
        if not re.fullmatch(r"\d{4,17}", account):
            errors["account_number"] = _("Enter an account number of 4 to 17 digits.")
        bank_code = routing
    elif scheme == PayeeScheme.CA_EFT:
        transit = _digits(data.get("transit_number", ""))
        institution = _digits(data.get("institution_number", ""))
        account = _digits(data.get("account_number", ""))
        if not re.fullmatch(r"\d{5}", transit):
            errors["transit_number"] = _("Enter the 5-digit transit (branch) number.")
        if not re.fullmatch(r"\d{3}", institution):
            errors["institution_number"] = _("Enter the 3-digit institution number.")
        if not re.fullmatch(r"\d{7,12}", account):
            errors["account_number"] = _("Enter an account number of 7 to 12 digits.")
        bank_code = f"0{institution}{transit}"  # the CPA routing number
    elif scheme == PayeeScheme.UK_SORT:
        sort_code = _digits(data.get("sort_code", ""))
        account = _digits(data.get("account_number", ""))
        if not re.fullmatch(r"\d{6}", sort_code):
            errors["sort_code"] = _("Enter the 6-digit sort code, for example 12-34-56.")
        if not re.fullmatch(r"\d{8}", account):
            errors["account_number"] = _("Enter the 8-digit account number.")
        bank_code = sort_code
    elif scheme == PayeeScheme.IBAN:
        bank_code, account = _iban(data, errors)
    else:
        errors["scheme"] = _("Choose how you want to be paid.")
    if errors:
        raise BankDetailsInvalid(errors, codes)
    return BankDetails(
        scheme=scheme, holder_name=holder, bank_code=bank_code, account_number=account
    )


def _iban(data: dict, errors: dict) -> tuple[str, str]:
    from schwifty import BIC, IBAN
    from schwifty.exceptions import SchwiftyException

    raw_iban = re.sub(r"\s+", "", data.get("iban", "") or "").upper()
    raw_bic = re.sub(r"\s+", "", data.get("bic", "") or "").upper()
    iban = None
    if not raw_iban:
        errors["iban"] = _("Enter your IBAN.")
    elif len(raw_iban) > 34:
        errors["iban"] = _("An IBAN has at most 34 letters and digits.")
    else:
        try:
            iban = IBAN(raw_iban)
        except SchwiftyException:
            errors["iban"] = _(
                "This IBAN is not valid: check the country code, the length and every digit."
            )
    bic = ""
    if raw_bic:
        try:
            bic = str(BIC(raw_bic))
        except SchwiftyException:
            errors["bic"] = _("This BIC is not valid: it has 8 or 11 letters and digits.")
    elif iban is not None:
        try:
            found = iban.bic
        except SchwiftyException:
            found = None
        if found is None:
            errors["bic"] = _("Enter your bank's BIC (SWIFT code): we could not find it.")
        else:
            bic = str(found)
    return bic, str(iban.compact) if iban is not None else raw_iban
